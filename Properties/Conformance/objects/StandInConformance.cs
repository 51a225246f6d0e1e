using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>
/// The ops that stand for other threads: faults (uvm_fault.c: uvm_fault_lower with uao_get / uvn_get),
/// I/O started and finished by others (PG_BUSY, uvm_page.c: uvm_page_unbusy), stores through mappings,
/// the pagedaemon (uvm_pdaemon.c: uvmpd_scan_active, uvmpd_scan_inactive), frees, uvm_pagelookup and
/// references (uvm_aobj.c: uao_reference, uao_detach). Kernel: OpenBSD uvm_page.c 1.183, uvm_aobj.c 1.116,
/// uvm_pdaemon.c, uvm_fault.c, as the brief names them.
/// </summary>
[Trait("Category", "Conformance")]
public class StandInConformance
{
    /// <summary>
    /// uvm_fault_lower → uao_get: no slot, so uvm_pagealloc(UVM_PGA_ZERO) gives a page without PG_CLEAN;
    /// pmap_enter maps it with the shared entry's protection (read/write), uvm_pageactivate queues it,
    /// uvm_page_unbusy releases it.
    /// </summary>
    [Fact]
    public void FaultIn_AobjPageWithoutSlot_IsZeroFilledDirtyMappedAndActive()
    {
        var (last, obs) = Last("Alloc(obj: 1, off: 0x3000)");
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x3000 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x3000"
        );
    }

    /// <summary>uvn_get reads the block into a page allocated without UVM_PGA_ZERO: PG_CLEAN, contents of the file.</summary>
    [Fact]
    public void FaultIn_VnodePage_IsCleanAndHoldsTheBlock()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x1000, stop: 0x2000, flags: CleanIt|Free)",
            "Alloc(obj: 2, off: 0x1000)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            "obj 2 vnode refs 1 npages 1",
            "  page 0x1000 TABLED|CLEAN|ACTIVE wire 0 data 1 mapped rw",
            "  file 0x1000 data 1",
            EmptyKernel,
            "active queue: obj 2 page 0x1000"
        );
    }

    /// <summary>
    /// uao_get from swap: the page comes in PG_CLEAN with the slot's contents and keeps its slot; the slot
    /// is no longer the only copy, so swpgonly goes back down.
    /// </summary>
    [Fact]
    public void FaultIn_FromSwap_IsCleanKeepsTheSlotAndDropsSwpgonly()
    {
        var (steps, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)"
        );
        Assert.All(steps, s => Assert.Equal(new Step("Ok"), s));
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 1 swpgonly 0",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x0 TABLED|CLEAN|ACTIVE|AOBJ wire 0 data 1 mapped rw",
            "  swap 0x0 data 1",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x0"
        );
    }

    /// <summary>
    /// uao_get, uvm_swap_get failing: uao_set_swslot(SWSLOT_BAD) and uvm_swap_markbad keep the slot
    /// allocated, the page is freed, and uvm_fault turns VM_PAGER_ERROR into EIO. A second fault meets
    /// SWSLOT_BAD and fails the same way.
    /// </summary>
    [Fact]
    public void FaultIn_SwapReadFails_MarksTheSlotBadFreesThePageAndFailsWithEio()
    {
        var (steps, obs) = Run(
            "Alloc(obj: 1, off: 0x2000)",
            "Dirty(obj: 1, off: 0x2000)",
            "PageOut(obj: 1, off: 0x2000)",
            "Alloc(obj: 1, off: 0x2000, fail: true)",
            "Alloc(obj: 1, off: 0x2000)"
        );
        Assert.Equal([new Step("EIO"), new Step("EIO")], steps.Skip(3));
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1",
            EmptyAobj,
            "  swap 0x2000 SWSLOT_BAD",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>A fault outside the object is EINVAL (uvm_fault: beyond the entry); on a resident page the stand-in has nothing to bring in.</summary>
    [Fact]
    public void FaultIn_BeyondTheObjectOrOnAResidentPage_DoesNothing()
    {
        var (steps, _) = Run(
            "Alloc(obj: 2, off: 0x29000)",
            "Alloc(obj: 2, off: 0x28000)",
            "Alloc(obj: 2, off: 0x28000)"
        );
        Assert.Equal([new Step("EINVAL"), new Step("Ok"), new Step("EEXIST")], steps);
    }

    /// <summary>uao_get with uvm_pagealloc returning NULL: the faulting thread sleeps in uvm_wait, so the fault does not happen now.</summary>
    [Fact]
    public void FaultIn_NoFreePage_IsEnomem()
    {
        var (steps, obs) = Run([.. AllMemoryFaultedIn(), "Alloc(obj: 2, off: 0x0)"]);
        Assert.Equal(new Step("ENOMEM"), steps[^1]);
        Assert.Equal("uvmexp free 0 active 96 inactive 0 wired 0 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>PG_BUSY set by another thread's I/O; a second start on a busy page is refused; a hole has no page.</summary>
    [Fact]
    public void Busy_SetsPgBusyOnceAndNeedsAPage()
    {
        var (steps, obs) = Run(
            "Busy(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)"
        );
        Assert.Equal([new Step("ENOENT"), new Step("Ok"), new Step("Ok"), new Step("EBUSY")], steps);
        Assert.Equal("  page 0x0 BUSY|TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw", obs[2]);
    }

    /// <summary>uvm_page_unbusy: clears PG_BUSY; only the thread that set it may (EPERM otherwise), and only on a page.</summary>
    [Fact]
    public void Unbusy_ClearsPgBusyOfAnotherThreadsIo()
    {
        var (steps, obs) = Run(
            "Unbusy(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x0)",
            "Unbusy(obj: 2, off: 0x0)",
            "Busy(obj: 2, off: 0x0)",
            "Unbusy(obj: 2, off: 0x0)"
        );
        Assert.Equal([new Step("ENOENT"), new Step("Ok"), new Step("EPERM"), new Step("Ok"), new Step("Ok")], steps);
        Assert.Equal("  page 0x0 TABLED|CLEAN|ACTIVE wire 0 data 0 mapped rw", obs[3]);
    }

    /// <summary>
    /// A store through a writable mapping needs no fault: the pmap sets the modified bit, the page keeps
    /// its place on the active queue (page 0 stays ahead of page 1).
    /// </summary>
    [Fact]
    public void Dirty_ThroughAWritableMapping_SetsModifiedWithoutAFault()
    {
        var (last, obs) = Last("Alloc(obj: 1, off: 0x0)", "Alloc(obj: 1, off: 0x1000)", "Dirty(obj: 1, off: 0x0)");
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 2",
            "  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 1 modified mapped rw",
            "  page 0x1000 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x0",
            "active queue: obj 1 page 0x1000"
        );
    }

    /// <summary>
    /// uvm_pagedeactivate's pmap_page_protect(PROT_NONE) leaves no mapping, so the next store write-faults:
    /// uvm_fault_lower maps the page read/write and uvm_pageactivate moves it to the active tail.
    /// </summary>
    [Fact]
    public void Dirty_OnADeactivatedPage_FaultsAndReactivatesItAtTheTail()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "Deactivate(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 2",
            "  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 1 modified mapped rw",
            "  page 0x1000 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x1000",
            "active queue: obj 1 page 0x0"
        );
    }

    /// <summary>
    /// uvn_flush write-protects the page it cleans (pmap_page_protect(PROT_READ)) and clears its modified
    /// bit: a later store faults and reactivates it, and the pmap sees the write again.
    /// </summary>
    [Fact]
    public void Dirty_AfterUvnFlushCleanedThePage_FaultsAndReactivatesIt()
    {
        var (steps, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x0)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt)",
            "Dirty(obj: 2, off: 0x0)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), steps[3]);
        AssertObservation(
            obs,
            "uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            "obj 2 vnode refs 1 npages 2",
            "  page 0x0 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 2 modified mapped rw",
            "  page 0x1000 TABLED|CLEAN|ACTIVE wire 0 data 0 mapped rw",
            "  file 0x0 data 1",
            EmptyKernel,
            "active queue: obj 2 page 0x1000",
            "active queue: obj 2 page 0x0"
        );
    }

    /// <summary>A store to a busy page waits in the fault (EBUSY: not now); to a hole there is nothing to store to here.</summary>
    [Fact]
    public void Dirty_OnABusyPageOrAHole_DoesNothing()
    {
        var (steps, obs) = Run(
            "Dirty(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)"
        );
        Assert.Equal([new Step("ENOENT"), new Step("EBUSY")], [steps[0], steps[3]]);
        Assert.Equal("  page 0x0 BUSY|TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw", obs[2]);
    }

    /// <summary>
    /// uvmpd_scan_active: a busy page is skipped (PG_BUSY ⇒ continue) whoever holds it, a wired page is on
    /// no queue, an inactive page is not on the active queue. uvm_pagedeactivate on an active vnode page
    /// written through its mapping: no mapping left, PG_CLEAN cleared because pmap_is_modified.
    /// </summary>
    [Fact]
    public void Deactivate_OnlyAnUnbusyActivePage_AndClearsCleanIfModified()
    {
        var (steps, obs) = Run(
            "Deactivate(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x0)",
            "Busy(obj: 2, off: 0x0)",
            "Deactivate(obj: 2, off: 0x0)",
            "Unbusy(obj: 2, off: 0x0)",
            "Wire(obj: 2, start: 0x1000, stop: 0x2000)",
            "Deactivate(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x0)",
            "Deactivate(obj: 2, off: 0x0)",
            "Deactivate(obj: 2, off: 0x0)"
        );
        Assert.Equal(
            [new Step("ENOENT"), new Step("EBUSY"), new Step("EPERM"), new Step("Ok"), new Step("EALREADY")],
            [steps[0], steps[3], steps[6], steps[8], steps[9]]
        );
        AssertObservation(
            obs,
            "uvmexp free 94 active 0 inactive 1 wired 1 swpginuse 0 swpgonly 0",
            EmptyAobj,
            "obj 2 vnode refs 1 npages 2",
            "  page 0x0 TABLED|INACTIVE wire 0 data 1 modified",
            "  page 0x1000 TABLED|CLEAN wire 1 data 0",
            EmptyKernel,
            "inactive queue: obj 2 page 0x0"
        );
    }

    /// <summary>
    /// uvmpd_scan_inactive, a dirty swap-backed page: uvmpd_dropswap (no old slot here), a new slot, the
    /// write, the page freed; the slot is now the only copy (swpgonly). Only aobj pages are paged out to swap.
    /// </summary>
    [Fact]
    public void PageOut_DirtyAobjPage_WritesItToANewSlotAndFreesIt()
    {
        var (steps, obs) = Run(
            "PageOut(obj: 2, off: 0x0)",
            "PageOut(obj: 1, off: 0x5000)",
            "Alloc(obj: 1, off: 0x5000)",
            "Dirty(obj: 1, off: 0x5000)",
            "PageOut(obj: 1, off: 0x5000)"
        );
        Assert.Equal([new Step("EOPNOTSUPP"), new Step("ENOENT"), new Step("Ok")], [steps[0], steps[1], steps[4]]);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1",
            EmptyAobj,
            "  swap 0x5000 data 1",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>
    /// uvmpd_scan_inactive, PG_CLEAN and PQ_SWAPBACKED: swpgonly++ and uvm_pagefree, no write and no new
    /// slot; the slot the page was read from already holds its contents.
    /// </summary>
    [Fact]
    public void PageOut_CleanPageReadFromSwap_IsFreedWithoutAWrite()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1",
            EmptyAobj,
            "  swap 0x0 data 1",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>
    /// A page read from swap and written since: uvm_pagedeactivate clears PG_CLEAN (pmap_is_modified), so
    /// uvmpd_scan_inactive takes the dirty path: the old slot is dropped first, then a new one gets the
    /// new contents.
    /// </summary>
    [Fact]
    public void PageOut_PageWrittenSinceItsSwapIn_DropsTheOldSlotAndWritesTheNewContents()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1",
            EmptyAobj,
            "  swap 0x0 data 2",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>The pagedaemon skips busy pages and never sees wired ones.</summary>
    [Fact]
    public void PageOut_BusyOrWiredPage_IsLeftAlone()
    {
        var (steps, _) = Run(
            "Alloc(obj: 3, off: 0x0)",
            "Busy(obj: 3, off: 0x0)",
            "PageOut(obj: 3, off: 0x0)",
            "Wire(obj: 3, start: 0x1000, stop: 0x2000)",
            "PageOut(obj: 3, off: 0x1000)"
        );
        Assert.Equal([new Step("EBUSY"), new Step("EPERM")], [steps[2], steps[4]]);
    }

    /// <summary>Another thread frees a page (uao_flush's PGO_FREE path): for an aobj its slot goes too (uao_dropswap).</summary>
    [Fact]
    public void FreePage_FreesThePageAndItsSlot()
    {
        var (steps, obs) = Run(
            "FreePage(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "FreePage(obj: 1, off: 0x0)"
        );
        Assert.Equal([new Step("ENOENT"), new Step("Ok")], [steps[0], steps[5]]);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>uvm_pagelookup: NULL for a hole; the page's observed flags and wire count for a resident one.</summary>
    [Fact]
    public void Lookup_ReturnsThePageOrNone()
    {
        var (steps, _) = Run("Lookup(obj: 2, off: 0x0)", "Alloc(obj: 2, off: 0x0)", "Lookup(obj: 2, off: 0x0)");
        Assert.Equal([new Step("Ok(none)"), new Step("Ok(TABLED|CLEAN|ACTIVE wire 0)")], [steps[0], steps[2]]);
    }

    /// <summary>
    /// uvn_flush with PGO_DEACTIVATE|PGO_FREE and no PGO_SYNCIO sets PG_RELEASED on the page it writes, and
    /// the DEACTIVATE branch wins after the write, leaving the page RELEASED but not BUSY.
    /// uvm_pagelookup's KASSERT(pg == NULL || !RELEASED || BUSY) then fires on the next lookup.
    /// </summary>
    [Fact]
    public void Lookup_OfAPageReleasedButNotBusy_Panics()
    {
        var (steps, _) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Deactivate|Free)",
            "Lookup(obj: 2, off: 0x0)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), steps[2]);
        Assert.Equal(
            new Step(
                "Panic(kernel diagnostic assertion \"pg == NULL || (pg->pg_flags & PG_RELEASED) == 0 || (pg->pg_flags & PG_BUSY) != 0\" failed)"
            ),
            steps[3]
        );
    }

    /// <summary>uao_reference / uao_detach count references; the last one cannot be dropped by this op (EINVAL).</summary>
    [Fact]
    public void RefAndUnref_CountReferences()
    {
        var (steps, obs) = Run("Ref(obj: 1)", "Ref(obj: 2)", "Unref(obj: 2)", "Unref(obj: 2)");
        Assert.Equal([new Step("Ok"), new Step("Ok"), new Step("Ok"), new Step("EINVAL")], steps);
        Assert.Equal("obj 1 aobj refs 2 npages 0", obs[1]);
        Assert.Equal("obj 2 vnode refs 1 npages 0", obs[2]);
    }

    /// <summary>uao_reference and uao_detach return at once for the kernel object (UVM_OBJ_IS_KERN_OBJECT): nothing is counted.</summary>
    [Fact]
    public void RefAndUnref_OfTheKernelObject_CountNothing()
    {
        var (steps, obs) = Run("Ref(obj: 3)", "Ref(obj: 3)", "Unref(obj: 3)", "Unref(obj: 3)", "Unref(obj: 3)");
        Assert.All(steps, s => Assert.Equal(new Step("Ok"), s));
        Assert.Equal(EmptyKernel, obs[3]);
    }
}
