using UvmDiff.Harness.Snapshots;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Map;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// The map layer's snapshot scenarios (seed 001 and the clipping routines), rendered as procmap-like
/// tables (start, end, size, protection, inheritance, wired count, amap slots and slot offset, object and
/// offset, flags) followed by the amaps, anons, object pages and references. The RB-tree and B+-tree
/// maps must render the same text.
/// </summary>
public static class MapScenarios
{
    public static IReadOnlyList<Scenario<MapOp>> All { get; } =
    [
        Scenarios.Define(
            MapOpParser.Parse,
            "Chunking1MiB",
            "seed 001: the first fault on a fresh 1 MiB (256-page) anonymous mapping makes amap_copy clip out the "
                + "64 KiB chunk around it (UVM_AMAP_LARGE 256 slots, UVM_AMAP_CHUNK 16); the pieces left are under "
                + "256 pages, so later faults give each piece one amap of its own",
            ("mmap 1 MiB anonymous", "Mmap(addr: 0x100000, size: 0x100000, prot: RW, kind: Private)"),
            ("write at 0x185000: the chunk [0x180000, 0x190000) is clipped out", "Fault(addr: 0x185000, write: true)"),
            (
                "write at 0x100000 and at 0x1f0000: each piece takes one amap, no clip",
                """
                Fault(addr: 0x100000, write: true)
                Fault(addr: 0x1f0000, write: true)
                """
            ),
            ("a read at 0x130000 fills another slot of the first piece's amap", "Fault(addr: 0x130000)")
        ),
        Scenarios.Define(
            MapOpParser.Parse,
            "Chunking4MiB",
            "seed 001's 64k entries: faults on a 4 MiB anonymous mapping keep clipping 64 KiB chunks out of every "
                + "piece of 256 pages or more, reads as well as writes; a stack of the same size is never chunked",
            (
                "mmap 4 MiB anonymous and a 4 MiB stack",
                """
                Mmap(addr: 0x400000, size: 0x400000, prot: RW, kind: Private)
                Mmap(addr: 0x1000000, size: 0x400000, prot: RW, kind: Stack)
                """
            ),
            (
                "faults at 0x585000, 0x400000, 0x7f0000 and 0x430000: four chunks",
                """
                Fault(addr: 0x585000, write: true)
                Fault(addr: 0x400000, write: true)
                Fault(addr: 0x7f0000)
                Fault(addr: 0x430000)
                """
            ),
            (
                "a fault in the 32-page piece [0x410000, 0x430000): one amap, no clip",
                "Fault(addr: 0x420000, write: true)"
            ),
            ("a fault on the stack: one amap for all of it", "Fault(addr: 0x1200000, write: true)")
        ),
        Scenarios.Define(
            MapOpParser.Parse,
            "MprotectAndMlockClip",
            "mprotect clips only the entries whose protection changes; mlock clips its ends, copies the amap "
                + "and wires the pages; a second mlock starting inside the wired entry re-wires it whole (mirror)",
            (
                "a 16-page private file mapping",
                "Mmap(addr: 0x40000, size: 0x10000, prot: RW, kind: FilePrivate, obj: 1, off: 0x4000)"
            ),
            (
                "mprotect pages 4-7 read-only: clipped at both ends, offsets advance",
                "Mprotect(addr: 0x44000, size: 0x4000, prot: R)"
            ),
            (
                "mlock pages 10-11: clipped, amap_copy, both pages promoted and wired",
                "Mlock(addr: 0x4a000, size: 0x2000)"
            ),
            (
                "mlock pages 11-12: the first entry is wired, so it is re-wired whole",
                "Mlock(addr: 0x4b000, size: 0x2000)"
            )
        ),
        Scenarios.Define(
            MapOpParser.Parse,
            "MinheritEpermClip",
            "uvm_map_inherit clips the start before it checks, so EPERM on an immutable entry keeps the clip (mirror)",
            (
                "map 8 pages, make the upper half immutable",
                """
                Mmap(addr: 0x20000, size: 0x8000, prot: RW, kind: Private)
                Mimmutable(addr: 0x24000, size: 0x4000)
                """
            ),
            (
                "minherit from page 2 across the immutable half: EPERM, the clip at 0x22000 stays",
                "Minherit(addr: 0x22000, size: 0x4000, inherit: None)"
            )
        ),
        Scenarios.Define(
            MapOpParser.Parse,
            "UnmapAcrossThreeEntries",
            "munmap across three entries clips the first and last, kills each (unwiring the wired one), gives "
                + "the space to the entry before, and drops amap and object references (ppref wipes the unmapped half)",
            (
                "a shared anonymous mapping faulted twice, a wired private one, a file mapping",
                """
                Mmap(addr: 0x60000, size: 0x4000, prot: RW, kind: Shared)
                Fault(addr: 0x61000, write: true)
                Fault(addr: 0x63000, write: true)
                Mmap(addr: 0x64000, size: 0x2000, prot: RW, kind: Private)
                Mlock(addr: 0x64000, size: 0x2000)
                Mmap(addr: 0x66000, size: 0x4000, prot: R, kind: FileShared, obj: 2, off: 0x0)
                Fault(addr: 0x67000)
                """
            ),
            ("munmap [0x62000, 0x68000)", "Munmap(addr: 0x62000, size: 0x6000)")
        ),
    ];

    public static SnapshotSuite Suite { get; } =
        new(
            "map",
            [
                .. All.Select(scenario => new SnapshotCase(
                    scenario.Name,
                    scenario.Description,
                    () => Scenarios.Render(new MapSide("reference", new ReferenceMap(), table: true), scenario),
                    () =>
                        [
                            ("rbtree", Scenarios.Render(Tree(new RbTreeIndex()), scenario)),
                            (
                                "btree",
                                Scenarios.Render(
                                    Tree(new BTreeIndex(MapLayer.TestFanout, MapLayer.TestFanout)),
                                    scenario
                                )
                            ),
                        ]
                )),
            ]
        );

    private static MapSide Tree(IEntryIndex index) => new(index.Name, new TreeVmMap(index, FaultSet.None), table: true);
}
