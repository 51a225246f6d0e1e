using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Map;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;
using Xunit;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>
/// uvmspace_fork (uvm_map.c 1.346: uvm_mapent_forkshared, uvm_mapent_forkcopy, uvm_mapent_forkzero,
/// uvm_mapent_clone), amap_copy and amap_cow_now of an existing amap (uvm_amap.c 1.97) and the
/// copy-on-write of a shared anon (uvm_fault.c 1.171 uvm_fault_upper), on a parent map and child maps
/// that take amap and anon numbers from one pool. A script step is "parent OP" or "child OP" (the map
/// layer's replay syntax), "fork" (parent into child), "fork again" (parent into a second child) or
/// "exit child" (uvm_map_teardown and uvm_unmap_detach). Every expected line is written out by hand.
/// </summary>
[Trait("Category", "Conformance")]
public class ForkConformance
{
    /// <summary>The script on maps of one kernel: the outcomes, then the parent's and the child's observations.</summary>
    private static (string Outcomes, string[] Parent, string[] Child) Run(Func<IVmMapMachine> newMap, string[] script)
    {
        var parent = new MapSide("parent", newMap());
        var child = new MapSide("child", newMap());
        var second = newMap();
        var outcomes = new List<string>();
        foreach (var step in script)
        {
            try
            {
                switch (step)
                {
                    case "fork":
                        parent.Machine.Fork(child.Machine);
                        outcomes.Add("Ok");
                        continue;
                    case "fork again":
                        parent.Machine.Fork(second);
                        outcomes.Add("Ok");
                        continue;
                    case "exit child":
                        child.Machine.Teardown();
                        outcomes.Add("Ok");
                        continue;
                }
            }
            catch (KernelPanic panic)
            {
                outcomes.Add($"Panic({panic.Message})");
                break;
            }
            var side = step.StartsWith("parent ", StringComparison.Ordinal) ? parent : child;
            var outcome = side.Apply(MapOpParser.Parse(step[(step.IndexOf(' ') + 1)..]));
            outcomes.Add(outcome.ToString());
            if (outcome.IsFatal)
                break;
        }
        Assert.Null(parent.CheckAllInvariants());
        Assert.Null(child.CheckAllInvariants());
        return (string.Join(", ", outcomes), [.. parent.Observe()], [.. child.Observe()]);
    }

    private static Func<IVmMapMachine> Reference()
    {
        var pool = new AnonPool();
        return () => new ReferenceMap(pool);
    }

    private static void Expect(string[] script, string outcomes, string[] parent, string[] child)
    {
        var (actual, p, c) = Run(Reference(), script);
        Assert.Equal(outcomes, actual);
        Assert.Equal(Lines(parent), p);
        Assert.Equal(Lines(child), c);
    }

    private static string[] Lines(string[] lines) => [.. lines.SelectMany(l => l.Split('|'))];

    /// <summary>forkshared → uvm_mapent_share → uvm_mapent_clone with AMAP_SHARED: the child entry holds the parent's amap at the same pageoff, am_ref 2, AMAP_SHARED; wired_count 0.</summary>
    [Fact]
    public void SharedEntry_TheChildReferencesTheSameAmap_MarkedShared() =>
        Expect(
            Cases["share written"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x12000 rw-/rwx share normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 2 shared",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x12000 rw-/rwx share normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 2 shared",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    /// <summary>uvm_mapent_share: a NEEDSCOPY parent entry is amap_copied (canchunk FALSE) before the clone, so both share amap 1; the child's zero fill lands in it.</summary>
    [Fact]
    public void SharedEntry_StillNeedsCopy_GetsItsAmapFirst_SoTheChildsAnonIsTheParents() =>
        Expect(
            Cases["share unfaulted"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x12000 rw-/rwx share normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 2 shared",
                "  slot 1 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x12000 rw-/rwx share normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 2 shared",
                "  slot 1 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    /// <summary>forkcopy: both entries NEEDSCOPY on amap 1 (am_ref 2). The child's write: amap_copy copies amap 1 into amap 2 (anon 1 an_ref 2), then uvm_fault_upper promotes anon 1 to anon 2. The parent's write: amap_copy takes amap 1 over (am_ref 1); anon 1 has one reference, no promote.</summary>
    [Fact]
    public void CopiedEntry_WriteInTheChildPromotes_ThenTheParentTakesItsAmapBack() =>
        Expect(
            Cases["copy, child writes, parent writes"],
            "Ok, Ok, Ok, Ok, Ok",
            [
                "0x10000-0x12000 rw-/rwx copy normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x12000 rw-/rwx copy normal wired 0 cow free 0xfffffffffffed000 amap 2@0",
                "amap 2 slots 2 refs 1",
                "  slot 0 anon 2",
                "anon 2 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    /// <summary>A read fault on a NEEDSCOPY entry without an object still runs amap_copy; the anon is not promoted on a read, so it has two references.</summary>
    [Fact]
    public void CopiedEntry_ReadInTheChild_CopiesTheAmap_AndSharesTheAnon() =>
        Expect(
            Cases["copy, child reads"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 2 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x12000 rw-/rwx copy normal wired 0 cow free 0xfffffffffffed000 amap 2@0",
                "amap 2 slots 2 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 2 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    /// <summary>forkzero: the clone's amap_ref is dropped again (amap_unref), the child entry is COPYONWRITE|NEEDSCOPY with no amap; the parent keeps amap 1 at one reference.</summary>
    [Fact]
    public void ZeroEntry_TheChildStartsWithoutAnAmap() =>
        Expect(
            Cases["zero"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x12000 rw-/rwx zero normal wired 0 cow free 0xfffffffffffed000 amap 1@0",
                "amap 1 slots 2 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x12000 rw-/rwx zero normal wired 0 cow,nc free 0xfffffffffffed000",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    /// <summary>uvmspace_fork: `default: continue` for MAP_INHERIT_NONE; the clone of the first entry is the last in the child, so its free space runs to the map's end; the child's size counts only it.</summary>
    [Fact]
    public void NoneEntry_IsLeftOut_AndTheChildsFreeSpaceRunsToTheTop() =>
        Expect(
            Cases["none"],
            "Ok, Ok, Ok",
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
                "0x11000-0x12000 rw-/rwx none normal wired 0 cow,nc free 0xfffffffffffed000",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffee000",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ]
        );

    /// <summary>forkcopy of a wired entry: amap_copy for the child now, then amap_cow_now gives it anon 2 for the shared anon 1; the parent stays writable (no NEEDSCOPY) and wired; the child entry is not wired.</summary>
    [Fact]
    public void WiredEntry_CopiedNow_WithAmapCowNow() =>
        Expect(
            Cases["wired copy"],
            "Ok, Ok, Ok",
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 1 cow free 0xfffffffffffee000 amap 1@0",
                "amap 1 slots 1 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 1",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ],
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 0 cow free 0xfffffffffffee000 amap 2@0",
                "amap 2 slots 1 refs 1",
                "  slot 0 anon 2",
                "anon 2 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ]
        );

    /// <summary>MAP_SHARED anon has an amap and no COPYONWRITE; forkcopy sets NEEDSCOPY on the parent entry that has an amap, so the next uvmspace_fork panics "non-copy_on_write map entry marked needs_copy".</summary>
    [Fact]
    public void SharedAnonymousEntry_MadeCopy_IsNeedsCopyWithoutCow_AndTheNextForkPanics() =>
        Expect(
            Cases["shared anon made copy"],
            "Ok, Ok, Ok, Panic(fork: non-copy_on_write map entry marked needs_copy (illegal))",
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 0 nc free 0xfffffffffffee000 amap 1@0",
                "amap 1 slots 1 refs 2",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ],
            [
                "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffee000 amap 1@0",
                "amap 1 slots 1 refs 2",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ]
        );

    /// <summary>uvm_map_teardown then uvm_unmap_detach: amap_unref with am_ref 2 and AMAP_SHARED clears the flag and leaves one reference; the child map is empty.</summary>
    [Fact]
    public void ExitOfTheChild_DropsItsReference_AndAmapSharedGoesAtOne() =>
        Expect(
            Cases["exit of a sharer"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x11000 rw-/rwx share normal wired 0 - free 0xfffffffffffee000 amap 1@0",
                "amap 1 slots 1 refs 1",
                "  slot 0 anon 1",
                "anon 1 refs 1 wired 0",
                "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1",
                "size 0x1000",
            ],
            ["obj 1 refs 1|obj 2 refs 1|obj 3 refs 1", "size 0x0"]
        );

    /// <summary>
    /// uvm_mapent_clone takes a pgo_reference for an object entry (the child's count of file 1 is 2);
    /// uvm_mapent_forkzero then detaches the object (pgo_detach, UVM_ET_OBJ cleared). The second clone
    /// follows the first, whose free space now ends at it.
    /// </summary>
    [Fact]
    public void FileEntries_CopyReferencesTheObject_ZeroDetachesIt() =>
        Expect(
            Cases["file entries"],
            "Ok, Ok, Ok, Ok",
            [
                "0x10000-0x11000 r--/rwx copy normal wired 0 obj,cow,nc free 0x0 obj 1@0x0",
                "0x11000-0x12000 rw-/rwx zero normal wired 0 obj free 0xfffffffffffed000 obj 2@0x3000",
                "obj 1 refs 2|obj 2 refs 2|obj 3 refs 1",
                "size 0x2000",
            ],
            [
                "0x10000-0x11000 r--/rwx copy normal wired 0 obj,cow,nc free 0x0 obj 1@0x0",
                "0x11000-0x12000 rw-/rwx zero normal wired 0 cow,nc free 0xfffffffffffed000",
                "obj 1 refs 2|obj 2 refs 1|obj 3 refs 1",
                "size 0x2000",
            ]
        );

    public static TheoryData<string> Scripts() => new(Cases.Keys);

    /// <summary>The RB-tree and B+-tree maps, in one arena per kernel, observe what the reference does on every script.</summary>
    [Theory]
    [MemberData(nameof(Scripts))]
    public void TreeMaps_ForkAsTheReferenceDoes(string name)
    {
        var expected = Run(Reference(), Cases[name]);
        foreach (
            var index in new Func<IEntryIndex>[] { () => new RbTreeIndex(), () => new BTreeIndex(4, 4, false, false) }
        )
        {
            var arena = new AnonArena();
            var actual = Run(() => new TreeVmMap(index(), FaultSet.None, arena: arena), Cases[name]);
            Assert.Equal(expected.Outcomes, actual.Outcomes);
            Assert.Equal(expected.Parent, actual.Parent);
            Assert.Equal(expected.Child, actual.Child);
        }
    }

    private static readonly Dictionary<string, string[]> Cases = new()
    {
        ["share written"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Minherit(addr: 0x10000, size: 0x2000, inherit: Share)",
            "parent Fault(addr: 0x10000, write: true)",
            "fork",
        ],
        ["share unfaulted"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Minherit(addr: 0x10000, size: 0x2000, inherit: Share)",
            "fork",
            "child Fault(addr: 0x11000, write: true)",
        ],
        ["copy, child writes, parent writes"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Fault(addr: 0x10000, write: true)",
            "fork",
            "child Fault(addr: 0x10000, write: true)",
            "parent Fault(addr: 0x10000, write: true)",
        ],
        ["copy, child reads"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Fault(addr: 0x10000, write: true)",
            "fork",
            "child Fault(addr: 0x10000)",
        ],
        ["zero"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Fault(addr: 0x10000, write: true)",
            "parent Minherit(addr: 0x10000, size: 0x2000, inherit: Zero)",
            "fork",
        ],
        ["none"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
            "parent Minherit(addr: 0x11000, size: 0x1000, inherit: None)",
            "fork",
        ],
        ["wired copy"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
            "parent Mlock(addr: 0x10000, size: 0x1000)",
            "fork",
        ],
        ["shared anon made copy"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Shared)",
            "parent Minherit(addr: 0x10000, size: 0x1000, inherit: Copy)",
            "fork",
            "fork again",
        ],
        ["file entries"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x1000, prot: R, kind: FilePrivate, obj: 1, off: 0x0)",
            "parent Mmap(addr: 0x11000, size: 0x1000, prot: RW, kind: FileShared, obj: 2, off: 0x3000)",
            "parent Minherit(addr: 0x11000, size: 0x1000, inherit: Zero)",
            "fork",
        ],
        ["exit of a sharer"] =
        [
            "parent Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Shared)",
            "parent Fault(addr: 0x10000, write: true)",
            "fork",
            "exit child",
        ],
    };
}
