using UvmDiff.Harness.Core;
using Xunit;
using static UvmDiff.Properties.BothSides;

namespace UvmDiff.Properties;

/// <summary>
/// Aobj pages and their swap slots (semantics brief §1 counters, §3.1, §3.3): pageout and swap-in,
/// uao_dropswap on free, uao_flush's dispositions and range, and uvm_obj_wire's fetch.
/// </summary>
[Trait("Category", "Law")]
public class AobjSwapLaws
{
    private static string Counters(IReadOnlyList<string> obs) => obs[0];

    /// <summary>
    /// Pageout: a slot holds the contents and is the only copy (swpginuse and swpgonly up). Swap-in
    /// (uvm_swap_get) brings the contents back, keeps the slot, and takes swpgonly down; the page
    /// comes from pagealloc CLEAN, with no modified bit.
    /// </summary>
    [Fact]
    public void PageOutThenFaultIn_RestoresTheContentsKeepsTheSlotAndDropsSwpgonly()
    {
        var (_, out_) = Run("Alloc(obj: 1, off: 0x4000)", "Dirty(obj: 1, off: 0x4000)", "PageOut(obj: 1, off: 0x4000)");
        Assert.Contains("obj 1 aobj refs 1 npages 0", out_);
        Assert.Contains("  swap 0x4000 data 1", out_);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1", Counters(out_));

        var (_, back) = Run(
            "Alloc(obj: 1, off: 0x4000)",
            "Dirty(obj: 1, off: 0x4000)",
            "PageOut(obj: 1, off: 0x4000)",
            "Alloc(obj: 1, off: 0x4000)"
        );
        Assert.Equal("  page 0x4000 TABLED|CLEAN|ACTIVE|AOBJ wire 0 data 1 mapped rw", Page(back, 1, 0x4000));
        Assert.Contains("  swap 0x4000 data 1", back);
        Assert.Equal("uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 1 swpgonly 0", Counters(back));
    }

    /// <summary>Paging out a page that already has a slot replaces the slot: still one slot in use.</summary>
    [Fact]
    public void PageOut_OfAPageThatHasASlot_ReplacesTheSlot()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)"
        );
        Assert.Contains("  swap 0x0 data 1", obs);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1", Counters(obs));
    }

    /// <summary>The pagedaemon leaves busy and wired pages alone.</summary>
    [Fact]
    public void PageOut_OfABusyOrWiredPage_IsRefused()
    {
        var (busy, _) = Run("Alloc(obj: 1, off: 0x0)", "Busy(obj: 1, off: 0x0)", "PageOut(obj: 1, off: 0x0)");
        Assert.Equal("EBUSY", busy.Result);
        var (wired, obs) = Run("Wire(obj: 1, start: 0x0, stop: 0x1000)", "PageOut(obj: 1, off: 0x0)");
        Assert.Equal("EPERM", wired.Result);
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", Counters(obs));
    }

    /// <summary>A failed swap read leaves SWSLOT_BAD; every later fault on it fails too, without I/O accounting.</summary>
    [Fact]
    public void FaultIn_OnASwslotBadOffset_FailsAgainAndChangesNothing()
    {
        var (last, obs) = Run(
            "Alloc(obj: 1, off: 0x3000)",
            "PageOut(obj: 1, off: 0x3000)",
            "Alloc(obj: 1, off: 0x3000, fail: true)",
            "Alloc(obj: 1, off: 0x3000)"
        );
        Assert.Equal("EIO", last.Result);
        Assert.Contains("  swap 0x3000 SWSLOT_BAD", obs);
        Assert.Contains("obj 1 aobj refs 1 npages 0", obs);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1", Counters(obs));
    }

    /// <summary>
    /// uao_flush FREE: the resident page's slot is dropped (swpginuse down) but swpgonly is untouched,
    /// since the slot was not the only copy (brief §3.1 swap notes).
    /// </summary>
    [Fact]
    public void UaoFlush_FreeOfASwappedInPage_DropsItsSlotButNotSwpgonly()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Free)"
        );
        Assert.DoesNotContain(obs, l => l.StartsWith("  swap", StringComparison.Ordinal));
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0", Counters(obs));
    }

    /// <summary>uao_flush never touches the swap slots of non-resident offsets (brief §3.1 swap notes).</summary>
    [Fact]
    public void UaoFlush_Free_LeavesSwapOnlyOffsetsAlone()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x30000, flags: Free)"
        );
        Assert.Contains("  swap 0x0 data 0", obs);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1", Counters(obs));
    }

    /// <summary>Another thread freeing an aobj page takes its swap slot along (uao_dropswap).</summary>
    [Fact]
    public void FreePage_OfASwappedInAobjPage_DropsItsSlot()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "FreePage(obj: 1, off: 0x0)"
        );
        Assert.DoesNotContain(obs, l => l.StartsWith("  swap", StringComparison.Ordinal));
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0", Counters(obs));
    }

    /// <summary>uao_flush FREE skips wired pages; DEACTIVATE skips them too.</summary>
    [Theory]
    [InlineData("Free")]
    [InlineData("Deactivate")]
    [InlineData("CleanIt|Free")]
    public void UaoFlush_OnAWiredPage_LeavesItWired(string flags)
    {
        var (last, obs) = Run(
            "Wire(obj: 1, start: 0x0, stop: 0x1000)",
            $"Flush(obj: 1, start: 0x0, stop: 0x1000, flags: {flags})"
        );
        Assert.Equal("Ok(true)", last.Result);
        Assert.Equal("  page 0x0 TABLED|AOBJ wire 1 data 0", Page(obs, 1, 0x0));
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", Counters(obs));
    }

    /// <summary>uao_flush: CLEANIT|FREE, CLEANIT|DEACTIVATE and DEACTIVATE all just deactivate.</summary>
    [Theory]
    [InlineData("CleanIt|Free")]
    [InlineData("CleanIt|Deactivate")]
    [InlineData("Deactivate")]
    public void UaoFlush_DeactivatingFlagMixes_DeactivateAndFreeNothing(string flags)
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            $"Flush(obj: 1, start: 0x0, stop: 0x2000, flags: {flags})"
        );
        Assert.Equal(["inactive queue: obj 1 page 0x0", "inactive queue: obj 1 page 0x1000"], Queue(obs, "inactive"));
        Assert.Contains("obj 1 aobj refs 1 npages 2", obs);
    }

    /// <summary>uao_flush FREE with one reference frees the page.</summary>
    [Fact]
    public void UaoFlush_FreeWithOneReference_FreesThePage()
    {
        var (_, obs) = Run("Alloc(obj: 1, off: 0x0)", "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Free)");
        Assert.Contains("obj 1 aobj refs 1 npages 0", obs);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0", Counters(obs));
    }

    /// <summary>uao_flush's range is [trunc(start), round(stop)).</summary>
    [Fact]
    public void UaoFlush_UnalignedRange_IsTruncatedAndRounded()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "Alloc(obj: 1, off: 0x2000)",
            "Alloc(obj: 1, off: 0x3000)",
            "Flush(obj: 1, start: 0x1800, stop: 0x2800, flags: Deactivate)"
        );
        Assert.Equal(
            ["inactive queue: obj 1 page 0x1000", "inactive queue: obj 1 page 0x2000"],
            Queue(obs, "inactive")
        );
        Assert.Equal(["active queue: obj 1 page 0x0", "active queue: obj 1 page 0x3000"], Queue(obs, "active"));
    }

    /// <summary>uao_flush with PGO_ALLPAGES covers the whole object whatever start and stop say.</summary>
    [Fact]
    public void UaoFlush_AllPages_IgnoresStartAndStop()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x2f000)",
            "Flush(obj: 1, start: 0x5000, stop: 0x5000, flags: Free|AllPages)"
        );
        Assert.Contains("obj 1 aobj refs 1 npages 0", obs);
    }

    /// <summary>
    /// uvm_obj_wire reads a swapped-out aobj page back (swpgonly down), clears CLEAN and, in the first
    /// batch where batch index and page index coincide, drops the page's own slot.
    /// </summary>
    [Fact]
    public void ObjWire_SwappedOutAobjPageInTheFirstBatch_IsReadBackWiredAndLosesItsSlot()
    {
        var (last, obs) = Run(
            "Alloc(obj: 1, off: 0x2000)",
            "Dirty(obj: 1, off: 0x2000)",
            "PageOut(obj: 1, off: 0x2000)",
            "Wire(obj: 1, start: 0x2000, stop: 0x3000)"
        );
        Assert.Equal("Ok", last.Result);
        Assert.Equal("  page 0x2000 TABLED|AOBJ wire 1 data 1", Page(obs, 1, 0x2000));
        Assert.Contains("  swap 0x2000 data 1", obs);
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 1 swpgonly 0", Counters(obs));
    }

    /// <summary>
    /// uvm_obj_wire fetches in batches of FETCH_PAGECOUNT (16); a fetch error at the start of a later
    /// batch unwires what the earlier batches wired (uvm_obj_unwire(start, offset)) and returns it.
    /// </summary>
    [Fact]
    public void ObjWire_FetchErrorAtTheSecondBatch_UnwiresTheFirstBatchAndFails()
    {
        var (last, obs) = Run(
            "Alloc(obj: 1, off: 0x10000)",
            "PageOut(obj: 1, off: 0x10000)",
            "Alloc(obj: 1, off: 0x10000, fail: true)",
            "Wire(obj: 1, start: 0x0, stop: 0x11000)"
        );
        Assert.Equal("VM_PAGER_ERROR", last.Result);
        Assert.Equal(16, Queue(obs, "active").Length);
        Assert.Equal("  page 0xf000 TABLED|ACTIVE|AOBJ wire 0 data 0", Page(obs, 1, 0xf000));
        Assert.Equal("uvmexp free 80 active 16 inactive 0 wired 0 swpginuse 1 swpgonly 1", Counters(obs));
    }

    /// <summary>uvm_swap_free returns slots for reuse: paging one page out and in forever never runs out of swap.</summary>
    [Fact]
    public void PageOutAndInRepeatedly_ReusesFreedSlotsAndNeverRunsOutOfSwap()
    {
        var lines = new List<string>
        {
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "PageOut(obj: 1, off: 0x1000)",
        };
        for (int i = 0; i < 300; i++)
            lines.AddRange(["PageOut(obj: 1, off: 0x0)", "Alloc(obj: 1, off: 0x0)"]);
        lines.Add("PageOut(obj: 1, off: 0x0)");
        var (last, obs) = Run([.. lines]);
        Assert.Equal("Ok", last.Result);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 2 swpgonly 2", Counters(obs));
    }

    /// <summary>
    /// uvm_obj_wire's pgo_get waits for a page another thread has busy, then wires it (uvn_get / uao_get).
    /// The vnode's page 0 is read from the file first (uvn_io, a sleep); the aobj's is zero-filled.
    /// </summary>
    [Theory]
    [InlineData(1, "uao_get 0x1000", "TABLED|AOBJ")]
    [InlineData(2, "io uvn_io 0x0, uvn_get 0x1000", "TABLED|CLEAN")]
    public void ObjWire_PageBusyForAnotherThread_IsWaitedForThenWired(int obj, string sleeps, string flags)
    {
        var (last, obs) = Run(
            $"Alloc(obj: {obj}, off: 0x1000)",
            $"Busy(obj: {obj}, off: 0x1000)",
            $"Wire(obj: {obj}, start: 0x0, stop: 0x2000)"
        );
        Assert.Equal(new Seen("Ok", sleeps), last);
        Assert.Equal($"  page 0x1000 {flags} wire 1 data 0 mapped rw", Page(obs, obj, 0x1000));
        Assert.Equal("uvmexp free 94 active 0 inactive 0 wired 2 swpginuse 0 swpgonly 0", Counters(obs));
    }
}
