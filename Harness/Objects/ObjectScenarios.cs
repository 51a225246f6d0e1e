using UvmDiff.Harness.Snapshots;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// The object layer's snapshot scenarios, taken from the seeds. Random campaigns find divergences
/// between the reference and the implementations; these pin down what the reference itself does in
/// the situations the seeds discuss, so that a change to the spec shows up as a reviewed diff of page
/// state. Ops are written in replay syntax so a scenario reads like a trace and any phase can be
/// pasted into a trace file.
/// </summary>
public static class ObjectScenarios
{
    public static IReadOnlyList<Scenario<ObjOp>> All { get; } =
    [
        Scenarios.Define(
            ObjOpParser.Parse,
            "PrometheusMunmapLoop",
            "seed 000's daemon doing munmap+mmap for every write to a file mapping: fault in, dirty, "
                + "uvn_detach's CleanIt|Free|AllPages flush (its path for a uvn that may not persist), fault in again",
            (
                "mmap the file, fault in four pages, write the second",
                """
                Alloc(obj: 2, off: 0x0)
                Alloc(obj: 2, off: 0x1000)
                Alloc(obj: 2, off: 0x2000)
                Alloc(obj: 2, off: 0x3000)
                Dirty(obj: 2, off: 0x1000)
                """
            ),
            (
                "munmap of the last mapping: uvn_detach flushes the whole vnode",
                """
                Flush(obj: 2, start: 0x0, stop: 0x0, flags: CleanIt|Free|AllPages)
                """
            ),
            (
                "mmap again, fault in the same pages, write the third",
                """
                Alloc(obj: 2, off: 0x0)
                Alloc(obj: 2, off: 0x1000)
                Alloc(obj: 2, off: 0x2000)
                Alloc(obj: 2, off: 0x3000)
                Dirty(obj: 2, off: 0x2000)
                """
            ),
            (
                "munmap again",
                """
                Flush(obj: 2, start: 0x0, stop: 0x0, flags: CleanIt|Free|AllPages)
                """
            )
        ),
        Scenarios.Define(
            ObjOpParser.Parse,
            "UvnFlushClusteredPageout",
            "uvn_flush writing dirty vnode pages in uvm_mk_pcluster clusters that stop at a clean page, "
                + "a hole and the flush range; then a CleanIt|Free flush whose first write fails",
            (
                "fault in 0x0-0x4000 and 0x6000-0x8000 (hole at 0x5000), dirty all but 0x2000",
                """
                Alloc(obj: 2, off: 0x0)
                Alloc(obj: 2, off: 0x1000)
                Alloc(obj: 2, off: 0x2000)
                Alloc(obj: 2, off: 0x3000)
                Alloc(obj: 2, off: 0x4000)
                Alloc(obj: 2, off: 0x6000)
                Alloc(obj: 2, off: 0x7000)
                Alloc(obj: 2, off: 0x8000)
                Dirty(obj: 2, off: 0x0)
                Dirty(obj: 2, off: 0x1000)
                Dirty(obj: 2, off: 0x3000)
                Dirty(obj: 2, off: 0x4000)
                Dirty(obj: 2, off: 0x6000)
                Dirty(obj: 2, off: 0x7000)
                Dirty(obj: 2, off: 0x8000)
                """
            ),
            (
                "CleanIt|SyncIo flush of [0x0, 0x8000)",
                """
                Flush(obj: 2, start: 0x0, stop: 0x8000, flags: CleanIt|SyncIo)
                """
            ),
            (
                "dirty 0x1000, 0x2000 and 0x6000, then a CleanIt|Free flush whose first pager write fails",
                """
                Dirty(obj: 2, off: 0x1000)
                Dirty(obj: 2, off: 0x2000)
                Dirty(obj: 2, off: 0x6000)
                Flush(obj: 2, start: 0x0, stop: 0x8000, flags: CleanIt|Free, interference: [IoError])
                """
            )
        ),
        Scenarios.Define(
            ObjOpParser.Parse,
            "KmPgremoveSwapSlots",
            "uvm_km_pgremove over kernel-object pages in every state: resident, resident with a swap "
                + "copy, swapped out, SWSLOT_BAD after a failed swap-in, busy, absent",
            (
                "fault in kernel pages 0x0-0x6000, write 0x1000-0x3000",
                """
                Alloc(obj: 3, off: 0x0)
                Alloc(obj: 3, off: 0x1000)
                Alloc(obj: 3, off: 0x2000)
                Alloc(obj: 3, off: 0x3000)
                Alloc(obj: 3, off: 0x4000)
                Alloc(obj: 3, off: 0x6000)
                Dirty(obj: 3, off: 0x1000)
                Dirty(obj: 3, off: 0x2000)
                Dirty(obj: 3, off: 0x3000)
                """
            ),
            (
                "swap out 0x1000-0x3000, swap 0x3000 back in, fail the swap-in of 0x2000, start I/O on 0x4000",
                """
                PageOut(obj: 3, off: 0x1000)
                PageOut(obj: 3, off: 0x2000)
                PageOut(obj: 3, off: 0x3000)
                Alloc(obj: 3, off: 0x3000)
                Alloc(obj: 3, off: 0x2000, fail: true)
                Busy(obj: 3, off: 0x4000)
                """
            ),
            (
                "uvm_km_pgremove of the first six pages (vm_map_min(kernel_map) + [0x0, 0x6000))",
                """
                KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000006000)
                """
            )
        ),
        Scenarios.Define(
            ObjOpParser.Parse,
            "ObjUnwireHoleAfterFreeFlush",
            "uvn_flush(Free) frees a wired vnode page, then uvm_obj_unwire meets the hole: "
                + "KASSERT(pg != NULL), the assertion seed 000's range-iterator diff lost",
            (
                "wire [0x0, 0x4000), write 0x1000",
                """
                Wire(obj: 2, start: 0x0, stop: 0x4000)
                Dirty(obj: 2, off: 0x1000)
                """
            ),
            (
                "CleanIt|Free flush of [0x1000, 0x2000)",
                """
                Flush(obj: 2, start: 0x1000, stop: 0x2000, flags: CleanIt|Free)
                """
            ),
            (
                "unwire [0x0, 0x4000)",
                """
                Unwire(obj: 2, start: 0x0, stop: 0x4000)
                """
            )
        ),
        Scenarios.Define(
            ObjOpParser.Parse,
            "BusyPageRestart",
            "uao_flush(Free) sleeps on a busy aobj page while another thread frees it and faults in a "
                + "page below it: the walk resumes at the slept-on offset, so the new page survives",
            (
                "fault in 0x2000-0x4000, another thread starts I/O on 0x3000",
                """
                Alloc(obj: 1, off: 0x2000)
                Alloc(obj: 1, off: 0x3000)
                Alloc(obj: 1, off: 0x4000)
                Busy(obj: 1, off: 0x3000)
                """
            ),
            (
                "Free flush of [0x0, 0x6000); during its sleep 0x3000 is freed and 0x0 faulted in",
                """
                Flush(obj: 1, start: 0x0, stop: 0x6000, flags: Free, interference: [Free(here)+Insert(0x0)])
                """
            ),
            (
                "look up 0x0 and 0x3000",
                """
                Lookup(obj: 1, off: 0x0)
                Lookup(obj: 1, off: 0x3000)
                """
            )
        ),
        Scenarios.Define(
            ObjOpParser.Parse,
            "ObjWireBatchIndexLosesCleanPage",
            "a kernel bug end to end: uvm_obj_wire of a range not starting at offset 0 calls uao_dropswap with "
                + "the index inside its batch and drops the slot of another page that is resident and CLEAN; "
                + "the pagedaemon frees that page without writing it (CLEAN: its slot is trusted), and the next "
                + "fault zero-fills it",
            (
                "write page 0x0 of the aobj, page it out (its slot holds the data), fault it back in: CLEAN, slot kept",
                """
                Alloc(obj: 1, off: 0x0)
                Dirty(obj: 1, off: 0x0)
                PageOut(obj: 1, off: 0x0)
                Alloc(obj: 1, off: 0x0)
                """
            ),
            (
                "uvm_obj_wire of [0x1000, 0x2000): batch index 0, so uao_dropswap(uobj, 0) drops page 0x0's slot",
                """
                Wire(obj: 1, start: 0x1000, stop: 0x2000)
                """
            ),
            (
                "the pagedaemon pages 0x0 out: CLEAN, so freed unwritten, swpgonly + 1; the data is nowhere",
                """
                PageOut(obj: 1, off: 0x0)
                """
            ),
            (
                "the next fault on 0x0 finds no slot and zero-fills the page",
                """
                Alloc(obj: 1, off: 0x0)
                Lookup(obj: 1, off: 0x0)
                """
            )
        ),
    ];

    /// <summary>The scenario called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Scenario<ObjOp>? Find(string name) => Scenarios.Find(All, name);
}
