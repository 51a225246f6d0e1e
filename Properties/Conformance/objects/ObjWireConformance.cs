using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>uvm_object.c 1.27: uvm_obj_wire (shared by every version) and uvm_obj_unwire before seed 000's diff.</summary>
[Trait("Category", "Conformance")]
public class ObjWireConformance
{
    /// <summary>
    /// pgo_get(PGO_ALLPAGES|PGO_SYNCIO) brings every page in BUSY; PQ_AOBJ pages lose PG_CLEAN;
    /// uvm_pagewire takes them off the queues; uvm_page_unbusy releases them. A fresh aobj page is
    /// zero-filled: no read, no sleep, no mapping.
    /// </summary>
    [Fact]
    public void Wire_FreshAobjRange_WiresZeroFilledUnmappedPages()
    {
        var (last, obs) = Last("Alloc(obj: 1, off: 0x1000)", "Wire(obj: 1, start: 0x0, stop: 0x2000)");
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 94 active 0 inactive 0 wired 2 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 2",
            "  page 0x0 TABLED|AOBJ wire 1 data 0",
            "  page 0x1000 TABLED|AOBJ wire 1 data 0 mapped rw",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>uvn_get reads each missing page with the object lock dropped (uvn_io): one sleep per page read.</summary>
    [Fact]
    public void Wire_VnodePages_AreReadWithTheLockDropped()
    {
        var (last, obs) = Last("Wire(obj: 2, start: 0x0, stop: 0x2000)");
        Assert.Equal(new Step("Ok", "io uvn_io 0x0, io uvn_io 0x1000"), last);
        Assert.Equal("  page 0x0 TABLED|CLEAN wire 1 data 0", obs[3]);
    }

    /// <summary>
    /// Mirrored quirk: uao_dropswap(uobj, i) with i the index inside the batch. Wiring page 1 drops the
    /// slot of page 0 (its only copy, swpgonly untouched) and keeps its own; uao_get read page 1 from
    /// swap with the object lock dropped (uvm_swap_get).
    /// </summary>
    [Fact]
    public void Wire_DropsTheSlotOfTheBatchIndexNotOfThePage()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "Dirty(obj: 1, off: 0x1000)",
            "PageOut(obj: 1, off: 0x1000)",
            "Wire(obj: 1, start: 0x1000, stop: 0x2000)"
        );
        Assert.Equal(new Step("Ok", "io uvm_swap_get 0x1000"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 1 swpgonly 1",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x1000 TABLED|AOBJ wire 1 data 2",
            "  swap 0x1000 data 2",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>A page already resident and unbusy is busied in place and wired again: wire_count 2, counted once.</summary>
    [Fact]
    public void Wire_Twice_CountsWiringsOnThePage()
    {
        var (last, obs) = Last("Wire(obj: 3, start: 0x0, stop: 0x1000)", "Wire(obj: 3, start: 0x0, stop: 0x1000)");
        Assert.Equal(new Step("Ok"), last);
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", obs[0]);
        Assert.Equal("  page 0x0 TABLED|AOBJ wire 2 data 0", obs[4]);
    }

    /// <summary>pgo_get meets a page busy for another thread: uvm_pagewait(pg, "uao_get"), look it up again, wire it.</summary>
    [Fact]
    public void Wire_BusyPage_IsWaitedFor()
    {
        var (last, _) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)",
            "Wire(obj: 1, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal(new Step("Ok", "uao_get 0x0"), last);
    }

    /// <summary>
    /// pgo_get fails (uao_get on SWSLOT_BAD): uvm_obj_wire returns pgo_get's value as it is,
    /// VM_PAGER_ERROR, after unwiring the batches before it (none here). Nothing stays wired. Page 0,
    /// got earlier in the failing batch, stays BUSY in the kernel; the model releases it (the departure
    /// ObjWire.Wire documents), and it is on no queue: nobody activated it.
    /// </summary>
    [Fact]
    public void Wire_FetchFails_ReturnsThePagersErrorAndWiresNothing()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x1000)",
            "Dirty(obj: 1, off: 0x1000)",
            "PageOut(obj: 1, off: 0x1000)",
            "Alloc(obj: 1, off: 0x1000, fail: true)",
            "Wire(obj: 1, start: 0x0, stop: 0x2000)"
        );
        Assert.Equal(new Step("VM_PAGER_ERROR"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x0 TABLED|AOBJ wire 0 data 0",
            "  swap 0x1000 SWSLOT_BAD",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>
    /// uao_get with no free page: uvm_wait("uao_getpage") and try again. Nothing frees a page while the
    /// caller waits, so the call never returns: a hang, not ENOMEM.
    /// </summary>
    [Fact]
    public void Wire_NoFreePage_Hangs()
    {
        var (steps, _) = Run([.. AllMemoryFaultedIn(), "Wire(obj: 2, start: 0x0, stop: 0x1000)"]);
        Assert.Equal(
            "Hang(uvm_wait: uvm_obj_wire's pgo_get waits for a free page, and nothing frees one)",
            steps[^1].Result
        );
    }

    /// <summary>uvm_obj_unwire: uvm_pageunwire per offset; wire_count 0 ⇒ uvm_pageactivate, in offset order.</summary>
    [Fact]
    public void Unwire_ActivatesThePagesInOffsetOrder()
    {
        var (last, obs) = Last("Wire(obj: 1, start: 0x0, stop: 0x2000)", "Unwire(obj: 1, start: 0x0, stop: 0x2000)");
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 2",
            "  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 0",
            "  page 0x1000 TABLED|ACTIVE|AOBJ wire 0 data 0",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x0",
            "active queue: obj 1 page 0x1000"
        );
    }

    /// <summary>uvm_obj_unwire over a page freed while wired (uvn_flush PGO_FREE frees wired pages): KASSERT(pg != NULL).</summary>
    [Fact]
    public void Unwire_HoleLeftByAFreedWiredPage_Panics()
    {
        var (last, _) = Last(
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Free)",
            "Unwire(obj: 2, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal(new Step("Panic(kernel diagnostic assertion \"pg != NULL\" failed)"), last);
    }

    /// <summary>
    /// The caller's contract (a map entry's wired count): unwiring what was not wired is refused, since
    /// uvm_pageunwire has no underflow check. An empty range is fine: uvm_obj_unwire's loop does not run.
    /// </summary>
    [Fact]
    public void Unwire_NotWiredIsRefused_EmptyRangeIsANoOp()
    {
        var (steps, _) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Unwire(obj: 1, start: 0x0, stop: 0x1000)",
            "Unwire(obj: 1, start: 0x4000, stop: 0x4000)"
        );
        Assert.Equal([new Step("EINVAL"), new Step("Ok")], steps.Skip(1));
    }
}
