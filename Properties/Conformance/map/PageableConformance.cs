using UvmDiff.Spec.Map;
using Xunit;
using static UvmDiff.Properties.Conformance.Map.MapOnTheReference;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>
/// uvm_map_pageable (mlock: new_pageable FALSE; munlock: TRUE), uvm_map_pageable_wire and
/// uvm_map_pageable_pgon, with uvm_fault_wire and uvm_fault_unwire_locked on the pages.
/// </summary>
[Trait("Category", "Conformance")]
public class PageableConformance
{
    /// <summary>
    /// `if (start > end) return EINVAL`; `if (start < map->min_offset) return EFAULT`; a first entry that
    /// ends at or before start (free space, or the space before the first entry) or is a HOLE: EFAULT.
    /// </summary>
    [Fact]
    public void BadStarts_AreEinvalOrEfault() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x12000, size: 0x1000, prot: None, kind: Hole)",
                "Mlock(addr: 0xfffffffffffff000, size: 0x2000)",
                "Mlock(addr: 0x0, size: 0x2000)",
                "Mlock(addr: 0x2000, size: 0x1000)",
                "Mlock(addr: 0x11000, size: 0x1000)",
                "Munlock(addr: 0x12000, size: 0x1000)",
            ],
            "Ok, Ok, EINVAL, EFAULT, EFAULT, EFAULT, EFAULT",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x1000",
            "0x12000-0x13000 ---/--- none normal wired 0 hole free 0xfffffffffffec000"
        );

    /// <summary>An empty range returns 0 at once (`if (start == end) return 0`); replay syntax cannot express it.</summary>
    [Fact]
    public void EmptyRange_DoesNothing() => Assert.Null(Pageable.Run(new VmMap(), 0x10000, 0x10000, unwire: false));

    /// <summary>The hole check: a gap (`last->end < end && VMMAP_FREE_END(last) != last->end`) or a HOLE inside the range is EINVAL, nothing clipped.</summary>
    [Fact]
    public void GapOrHoleInside_IsEinval() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
                "Mmap(addr: 0x13000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x14000, size: 0x1000, prot: None, kind: Hole)",
                "Mmap(addr: 0x15000, size: 0x1000, prot: RW, kind: Private)",
                "Mlock(addr: 0x11000, size: 0x3000)",
                "Mlock(addr: 0x13000, size: 0x3000)",
            ],
            "Ok, Ok, Ok, Ok, EINVAL, EINVAL",
            "0x10000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0x1000",
            "0x13000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x14000-0x15000 ---/--- none normal wired 0 hole free 0x0",
            "0x15000-0x16000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffe9000"
        );

    /// <summary>
    /// Wiring an unwired range: CLIP_START and CLIP_END, then pass 1 runs amap_copy on the NEEDSCOPY
    /// entry (writable) and wired_count++, pass 2 uvm_fault_wire creates and wires each page.
    /// </summary>
    [Fact]
    public void Mlock_OfTheMiddle_ClipsAndWiresItsPages() =>
        Expect(
            ["Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)", "Mlock(addr: 0x11000, size: 0x2000)"],
            "Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x13000 rw-/rwx copy normal wired 1 cow free 0x0 amap 1@0",
            "0x13000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000",
            "amap 1 slots 2 refs 1",
            "  slot 0 anon 1",
            "  slot 1 anon 2",
            "anon 1 refs 1 wired 1",
            "anon 2 refs 1 wired 1",
            NoObjectRefs,
            "size 0x4000"
        );

    /// <summary>
    /// Mirror (§9.1): an already-wired first entry is not clipped (`if (!VM_MAPENT_ISWIRED(first))
    /// UVM_MAP_CLIP_START`) but gets wired_count++ and a whole-entry uvm_fault_wire, so its pages gain a
    /// second wire; an unwired last entry is clipped at the end and wired.
    /// </summary>
    [Fact]
    public void Mlock_FromInsideAWiredEntry_RewiresThatWholeEntry() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)",
                "Mlock(addr: 0x10000, size: 0x2000)",
                "Mlock(addr: 0x11000, size: 0x2000)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x12000 rw-/rwx copy normal wired 2 cow free 0x0 amap 1@0",
            "0x12000-0x13000 rw-/rwx copy normal wired 1 cow free 0x0 amap 2@0",
            "0x13000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000",
            "amap 1 slots 2 refs 1",
            "  slot 0 anon 1",
            "  slot 1 anon 2",
            "amap 2 slots 1 refs 1",
            "  slot 0 anon 3",
            "anon 1 refs 1 wired 2",
            "anon 2 refs 1 wired 2",
            "anon 3 refs 1 wired 1",
            NoObjectRefs,
            "size 0x4000"
        );

    /// <summary>
    /// Mirror (§9.1): an already-wired last entry is neither clipped nor counted nor faulted (`tmp = last`
    /// ends the walk before it); when it is also the first, nothing happens at all.
    /// </summary>
    [Fact]
    public void Mlock_EndingInAWiredEntry_LeavesThatEntryAlone() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x11000, size: 0x2000, prot: RW, kind: Private)",
                "Mlock(addr: 0x11000, size: 0x2000)",
                "Mlock(addr: 0x10000, size: 0x2000)",
                "Mlock(addr: 0x12000, size: 0x1000)",
            ],
            "Ok, Ok, Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 1 cow free 0x0 amap 2@0",
            "0x11000-0x13000 rw-/rwx copy normal wired 1 cow free 0xfffffffffffec000 amap 1@0"
        );

    /// <summary>
    /// HOLE-free PROT_NONE entries are skipped by both passes (mlock succeeds without wiring them); a
    /// read-only private file entry keeps NEEDSCOPY (no amap_copy without PROT_WRITE when it has an
    /// object) and its object pages are wired.
    /// </summary>
    [Fact]
    public void Mlock_SkipsProtNone_AndWiresObjectPagesOfReadOnlyFileMappings() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: None, kind: Private)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: R, kind: FilePrivate, obj: 2, off: 0x5000)",
                "Mlock(addr: 0x10000, size: 0x2000)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x11000 ---/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x12000 r--/rwx copy normal wired 1 obj,cow,nc free 0xfffffffffffed000 obj 2@0x5000",
            "page obj 2@0x5000 wired 1",
            "obj 1 refs 1|obj 2 refs 2|obj 3 refs 1",
            "size 0x2000"
        );

    /// <summary>
    /// munlock clips a wired first entry at the start and a wired last entry at the end
    /// (amap_splitref each time: am_ref 3), sets wired_count 0 and unwires the pages in between.
    /// </summary>
    [Fact]
    public void Munlock_OfTheMiddleOfAWiredEntry_ClipsAndUnwiresIt() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x3000, prot: RW, kind: Private)",
                "Mlock(addr: 0x10000, size: 0x3000)",
                "Munlock(addr: 0x11000, size: 0x1000)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 1 cow free 0x0 amap 1@0",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow free 0x0 amap 1@1",
            "0x12000-0x13000 rw-/rwx copy normal wired 1 cow free 0xfffffffffffec000 amap 1@2",
            "amap 1 slots 3 refs 3",
            "  slot 0 anon 1",
            "  slot 1 anon 2",
            "  slot 2 anon 3",
            "anon 1 refs 1 wired 1",
            "anon 2 refs 1 wired 0",
            "anon 3 refs 1 wired 1",
            NoObjectRefs,
            "size 0x3000"
        );

    /// <summary>Unwired first and last entries are not clipped, and unwired entries in between are skipped.</summary>
    [Fact]
    public void Munlock_LeavesUnwiredEntriesAlone() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x12000, size: 0x2000, prot: RW, kind: Private)",
                "Mlock(addr: 0x11000, size: 0x1000)",
                "Munlock(addr: 0x10000, size: 0x3000)",
                "Mlock(addr: 0x10000, size: 0x1000)",
                "Munlock(addr: 0x10000, size: 0x2000)",
            ],
            "Ok, Ok, Ok, Ok, Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow free 0x0 amap 2@0",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow free 0x0 amap 1@0",
            "0x12000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000"
        );

    /// <summary>
    /// uvm_map_pageable_wire's second pass walks on from the entry it faulted (`iter = RBT_NEXT(iter)`):
    /// a wired, still NEEDSCOPY file entry made writable is chunked by its first wire fault (a 64 KiB
    /// chunk, then a 240-page rest that takes one amap), and the rest, faulted and wired by the first
    /// uvm_fault_wire over the old bounds, is then faulted and wired a second time. The object pages keep the wire of the
    /// first mlock.
    /// </summary>
    [Fact]
    public void Mlock_ChunkingAWiredNeedsCopyEntry_WiresTheRestTwice()
    {
        var (outcomes, observation, _) = Run(
            "Mmap(addr: 0x100000, size: 0x100000, prot: R, kind: FilePrivate, obj: 1, off: 0x0)",
            "Mmap(addr: 0x200000, size: 0x1000, prot: RW, kind: Private)",
            "Mlock(addr: 0x100000, size: 0x100000)",
            "Mprotect(addr: 0x100000, size: 0x100000, prot: RW)",
            "Mlock(addr: 0x100000, size: 0x101000)"
        );
        Assert.Equal(["Ok", "Ok", "Ok", "Ok", "Ok"], outcomes);
        Assert.Equal(
            [
                "0x100000-0x110000 rw-/rwx copy normal wired 2 obj,cow free 0x0 obj 1@0x0 amap 2@0",
                "0x110000-0x200000 rw-/rwx copy normal wired 2 obj,cow free 0x0 obj 1@0x10000 amap 3@0",
                "0x200000-0x201000 rw-/rwx copy normal wired 1 cow free 0xffffffffffdfe000 amap 1@0",
            ],
            observation.Where(l => l.StartsWith("0x", StringComparison.Ordinal)).ToArray()
        );
        Assert.Contains("anon 1 refs 1 wired 1", observation);
        Assert.Contains("anon 16 refs 1 wired 1", observation);
        Assert.Contains("anon 17 refs 1 wired 2", observation);
        Assert.Contains("anon 256 refs 1 wired 2", observation);
        Assert.Contains("anon 257 refs 1 wired 1", observation);
        Assert.Contains("page obj 1@0xff000 wired 1", observation);
    }
}
