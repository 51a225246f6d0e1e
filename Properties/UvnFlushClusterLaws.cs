using UvmDiff.Harness.Core;
using Xunit;
using static UvmDiff.Properties.BothSides;

namespace UvmDiff.Properties;

/// <summary>
/// uvn_flush and the pager it calls (semantics brief §3.4): the parts shared by every side, the
/// range, the per-page decision, uvm_mk_pcluster's window and growth, and the disposal after the put.
/// </summary>
[Trait("Category", "Law")]
public class UvnFlushClusterLaws
{
    private static int FileBlocks(IReadOnlyList<string> obs) =>
        obs.Count(l => l.StartsWith("  file 0x", StringComparison.Ordinal));

    /// <summary>uvn_cluster offers [off, off + MAXBSIZE): 16 pages, so a run of 20 takes two writes.</summary>
    [Fact]
    public void UvnFlush_DirtyRunLongerThanMaxBSize_IsWrittenInClustersOfSixteenPages()
    {
        var (last, obs) = Run([
            .. Faulted(2, Enumerable.Range(0, 20).ToArray()),
            "Flush(obj: 2, start: 0x0, stop: 0x14000, flags: CleanIt)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0, io uvn_io 0x10000"), last);
        Assert.Equal(20, FileBlocks(obs));
    }

    /// <summary>
    /// uvn_cluster's window starts at the center page ([off, off + MAXBSIZE)), so uvm_mk_pcluster's
    /// backward pass never reaches below it: a dirty page below the center, faulted in while the
    /// flush slept on the center, is neither written nor freed (the walk is already past it).
    /// </summary>
    [Fact]
    public void UvnFlush_DirtyPageBelowTheCenter_IsOutsideTheClusterWindow()
    {
        var (last, obs) = Run([
            .. Faulted(2, 1),
            "Busy(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x3000, flags: CleanIt|Free, interference: [Insert(0x0)+Dirty(0x0)])",
        ]);
        Assert.Equal(new Seen("Ok(true)", "uvn_flsh 0x1000, uvn_flsh 0x1000, io uvn_io 0x1000"), last);
        Assert.Equal(["  file 0x1000 data 1"], obs.Where(l => l.StartsWith("  file", StringComparison.Ordinal)));
        Assert.Equal("  page 0x0 TABLED|CLEAN|ACTIVE wire 0 data 2 modified mapped rw", Page(obs, 2, 0x0));
        Assert.Contains("obj 2 vnode refs 1 npages 1", obs);
    }

    /// <summary>
    /// uvm_mk_pcluster re-syncs PG_CLEAN with the pmap only for pages not on the inactive queue, because
    /// inactive pages have no mappings (uvm_pagedeactivate removed them): a write to a deactivated page
    /// write-faults first, and the fault moves it back to the active queue, where the cluster re-syncs
    /// it and takes it along. One write for both pages.
    /// </summary>
    [Fact]
    public void UvnFlush_NeighbourWrittenAfterDeactivation_WasFaultedBackToActiveAndJoinsTheCluster()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0),
            "Alloc(obj: 2, off: 0x1000)",
            "Deactivate(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal(2, FileBlocks(obs));
        Assert.Equal(["active queue: obj 2 page 0x0", "active queue: obj 2 page 0x1000"], Queue(obs, "active"));
    }

    /// <summary>An active neighbour without CLEANCHK is re-synced: CLEAN but modified means dirty.</summary>
    [Fact]
    public void UvnFlush_ActiveNeighbourCleanButModified_IsReSyncedAndClustered()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0),
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal(2, FileBlocks(obs));
    }

    /// <summary>After a write without FREE: CLEAN|CLEANCHK set, pmap modified bit cleared, file holds the data.</summary>
    [Fact]
    public void UvnFlush_CleanIt_WritesTheContentsAndClearsTheModifiedBit()
    {
        var (_, obs) = Run([.. Faulted(2, 3), "Flush(obj: 2, start: 0x3000, stop: 0x4000, flags: CleanIt)"]);
        Assert.Equal("  page 0x3000 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 1 mapped r", Page(obs, 2, 0x3000));
        Assert.Contains("  file 0x3000 data 1", obs);
    }

    /// <summary>CLEANIT|DEACTIVATE: the page is written, then deactivated, and stays clean.</summary>
    [Fact]
    public void UvnFlush_CleanItDeactivate_WritesThenDeactivates()
    {
        var (_, obs) = Run([.. Faulted(2, 0, 1), "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt|Deactivate)"]);
        Assert.Equal("  page 0x0 TABLED|CLEAN|CLEANCHK|INACTIVE wire 0 data 1", Page(obs, 2, 0x0));
        Assert.Equal(["inactive queue: obj 2 page 0x0", "inactive queue: obj 2 page 0x1000"], Queue(obs, "inactive"));
        Assert.Equal(2, FileBlocks(obs));
    }

    /// <summary>A clean page under CLEANIT needs no write: nothing is written and no lock is dropped.</summary>
    [Fact]
    public void UvnFlush_CleanPageUnderCleanIt_IsNotWritten()
    {
        var (last, obs) = Run("Alloc(obj: 2, off: 0x0)", "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt)");
        Assert.Equal(new Seen("Ok(true)", ""), last);
        Assert.Equal("  page 0x0 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 0 mapped rw", Page(obs, 2, 0x0));
        Assert.Equal(0, FileBlocks(obs));
    }

    /// <summary>Without CLEANIT nothing is written, even a dirty page: FREE alone discards it (brief §3.4 step 4).</summary>
    [Fact]
    public void UvnFlush_FreeWithoutCleanIt_DiscardsADirtyPageUnwritten()
    {
        var (last, obs) = Run([.. Faulted(2, 0), "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Free)"]);
        Assert.Equal(new Seen("Ok(true)", ""), last);
        Assert.Contains("obj 2 vnode refs 1 npages 0", obs);
        Assert.Equal(0, FileBlocks(obs));
    }

    /// <summary>DEACTIVATE wins over FREE in uvn_flush.</summary>
    [Fact]
    public void UvnFlush_DeactivateWithFree_OnlyDeactivates()
    {
        var (_, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Deactivate|Free)"
        );
        Assert.Equal("  page 0x0 TABLED|CLEAN|INACTIVE wire 0 data 0", Page(obs, 2, 0x0));
        Assert.Contains("obj 2 vnode refs 1 npages 1", obs);
    }

    /// <summary>uvn_flush deactivates only unwired pages.</summary>
    [Fact]
    public void UvnFlush_Deactivate_LeavesWiredPagesAlone()
    {
        var (_, obs) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Deactivate)"
        );
        Assert.Equal("  page 0x0 TABLED|CLEAN wire 1 data 0", Page(obs, 2, 0x0));
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>A busy page under CLEANIT|SYNCIO sets need_iosync: the flush waits for that I/O at the end.</summary>
    [Fact]
    public void UvnFlush_BusyPageUnderCleanItSyncIo_IsWaitedForAtTheEnd()
    {
        var (last, obs) = Run(
            "Alloc(obj: 2, off: 0x1000)",
            "Busy(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt|SyncIo)"
        );
        Assert.Equal(new Seen("Ok(true)", "uvn_flush 0x1000"), last);
        Assert.DoesNotContain("BUSY", Page(obs, 2, 0x1000));
    }

    /// <summary>Without SYNCIO a busy page is just skipped: no wait, and it stays busy.</summary>
    [Fact]
    public void UvnFlush_BusyPageUnderCleanItAlone_IsSkippedWithoutWaiting()
    {
        var (last, obs) = Run(
            "Alloc(obj: 2, off: 0x1000)",
            "Busy(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt)"
        );
        Assert.Equal(new Seen("Ok(true)", ""), last);
        Assert.StartsWith("  page 0x1000 BUSY|", Page(obs, 2, 0x1000));
    }

    /// <summary>The range is [trunc(start), round(stop)).</summary>
    [Fact]
    public void UvnFlush_UnalignedRange_IsTruncatedAndRounded()
    {
        var (_, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x2000)",
            "Alloc(obj: 2, off: 0x3000)",
            "Flush(obj: 2, start: 0x1800, stop: 0x2800, flags: Free)"
        );
        Assert.Contains("obj 2 vnode refs 1 npages 2", obs);
        Assert.Equal("(not resident)", Page(obs, 2, 0x1000));
        Assert.Equal("(not resident)", Page(obs, 2, 0x2000));
    }

    /// <summary>PGO_ALLPAGES means [0, round_page(u_size)), whatever start and stop say; the partial last page too.</summary>
    [Fact]
    public void UvnFlush_AllPages_IgnoresStartAndStopAndCoversThePartialLastPage()
    {
        var (_, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x28000)",
            "Flush(obj: 2, start: 0x5000, stop: 0x5000, flags: Free|AllPages)"
        );
        Assert.Contains("obj 2 vnode refs 1 npages 0", obs);
    }

    /// <summary>With PGO_ALLPAGES the cluster window is not clipped to [start, stop).</summary>
    [Fact]
    public void UvnFlush_AllPages_ClustersBeyondTheGivenStop()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0, 1, 2),
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|AllPages)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal(3, FileBlocks(obs));
    }

    /// <summary>Without PGO_ALLPAGES the cluster window is clipped to [start, stop).</summary>
    [Fact]
    public void UvnFlush_Range_ClipsTheClusterWindow()
    {
        var (last, obs) = Run([.. Faulted(2, 0, 1, 2), "Flush(obj: 2, start: 0x1000, stop: 0x2000, flags: CleanIt)"]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x1000"), last);
        Assert.Equal(["  file 0x1000 data 2"], obs.Where(l => l.StartsWith("  file", StringComparison.Ordinal)));
    }
}
