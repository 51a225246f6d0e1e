using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>
/// uvm_vnode.c 1.140: uvn_flush, with uvm_pager.c 1.94's uvm_pager_put / uvm_mk_pcluster /
/// uvm_pager_dropcluster and uvn_put / uvn_io underneath, branch by branch, as before seed 000's diff.
/// </summary>
[Trait("Category", "Conformance")]
public class UvnFlushConformance
{
    /// <summary>
    /// PGO_CLEANIT on a dirty page: PG_BUSY, pmap_page_protect(PROT_READ), uvm_pager_put (the object lock
    /// dropped for uvn_io), then PG_CLEAN|PG_CLEANCHK set, pmap_clear_modify, the page left active and
    /// mapped read-only.
    /// </summary>
    [Fact]
    public void CleanIt_WritesADirtyPageAndLeavesItCleanAndReadOnly()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x3000)",
            "Dirty(obj: 2, off: 0x3000)",
            "Flush(obj: 2, start: 0x3000, stop: 0x4000, flags: CleanIt)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x3000"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            "obj 2 vnode refs 1 npages 1",
            "  page 0x3000 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 1 mapped r",
            "  file 0x3000 data 1",
            EmptyKernel,
            "active queue: obj 2 page 0x3000"
        );
    }

    /// <summary>PG_CLEAN and not pmap_is_modified: no write, no lock dropped; PG_CLEANCHK set.</summary>
    [Fact]
    public void CleanIt_CleanPage_IsNotWritten()
    {
        var (last, obs) = Last("Alloc(obj: 2, off: 0x0)", "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt)");
        Assert.Equal(new Step("Ok(true)"), last);
        Assert.Equal("  page 0x0 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 0 mapped rw", obs[3]);
    }

    /// <summary>
    /// uvm_mk_pcluster grows the cluster forward over dirty neighbours inside uvn_cluster's window and the
    /// caller's range: three dirty pages, one uvn_io; the walk then resumes after them.
    /// </summary>
    [Fact]
    public void CleanIt_ContiguousDirtyPages_AreOneWrite()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x2000)",
            "Dirty(obj: 2, off: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x3000, flags: CleanIt)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal(
            ["  file 0x0 data 1", "  file 0x1000 data 2", "  file 0x2000 data 3"],
            obs.Where(l => l.StartsWith("  file"))
        );
    }

    /// <summary>
    /// The cluster window is [start, stop) of the flush (PGO_ALLPAGES not set): a dirty page beyond stop
    /// stays dirty; a busy neighbour ends the cluster too.
    /// </summary>
    [Fact]
    public void CleanIt_ClusterStopsAtStopAndAtABusyPage()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Busy(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x5000)",
            "Dirty(obj: 2, off: 0x5000)",
            "Alloc(obj: 2, off: 0x6000)",
            "Dirty(obj: 2, off: 0x6000)",
            "Flush(obj: 2, start: 0x0, stop: 0x6000, flags: CleanIt)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0, io uvn_io 0x5000"), last);
        Assert.Equal(["  file 0x0 data 1", "  file 0x5000 data 3"], obs.Where(l => l.StartsWith("  file")));
    }

    /// <summary>
    /// uvn_cluster offers at most MAXBSIZE (16 pages), the size of pps[]: seventeen dirty pages are two
    /// writes, the second starting at 0x10000.
    /// </summary>
    [Fact]
    public void CleanIt_SeventeenDirtyPages_AreTwoWritesOfAtMostSixteen()
    {
        var lines = Enumerable
            .Range(0, 17)
            .SelectMany(p => new[] { $"Alloc(obj: 2, off: 0x{p * 0x1000:x})", $"Dirty(obj: 2, off: 0x{p * 0x1000:x})" })
            .Append("Flush(obj: 2, start: 0x0, stop: 0x11000, flags: CleanIt)")
            .ToArray();
        var (last, obs) = Last(lines);
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0, io uvn_io 0x10000"), last);
        Assert.Equal(17, obs.Count(l => l.StartsWith("  file")));
    }

    /// <summary>
    /// PGO_CLEANIT|PGO_FREE without PGO_SYNCIO: PG_RELEASED on the page written; after the write the
    /// FREE branch frees every cluster page (dequeued first); TRUE.
    /// </summary>
    [Fact]
    public void CleanItFree_WritesThenFreesTheCluster()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt|Free)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            "  file 0x0 data 1",
            "  file 0x1000 data 2",
            EmptyKernel
        );
    }

    /// <summary>
    /// A failed write (VM_PAGER_ERROR) under PGO_FREE: the pages are freed anyway and uvn_flush returns
    /// FALSE; nothing reaches the file.
    /// </summary>
    [Fact]
    public void CleanItFree_WriteFails_FreesAnywayAndReturnsFalse()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Free, interference: [IoError])"
        );
        Assert.Equal(new Step("Ok(false)", "io uvn_io 0x0"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>
    /// Mirrored: after a failed write without PGO_FREE the cluster pages are still marked PG_CLEAN and the
    /// modified bit cleared; the contents never reached the file, and uvn_flush returns TRUE.
    /// </summary>
    [Fact]
    public void CleanIt_WriteFails_MarksThePageCleanAnyway()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt, interference: [IoError])"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal("  page 0x0 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 1 mapped r", obs[3]);
        Assert.DoesNotContain(obs, l => l.StartsWith("  file"));
    }

    /// <summary>
    /// VM_PAGER_AGAIN from a write that may not wait (no PGO_SYNCIO): uvn_flush sets PGO_SYNCIO, clears
    /// PG_RELEASED on the page (PGO_FREE) and goes back to ReTry: the second, waiting write succeeds and
    /// the FREE branch then frees the page.
    /// </summary>
    [Fact]
    public void Again_WithoutSyncIo_RetriesAsASynchronousWrite()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt|Free, interference: [Again])"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0, io uvn_io 0x0"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            "  file 0x0 data 1",
            "  file 0x1000 data 2",
            EmptyKernel
        );
    }

    /// <summary>
    /// Once PGO_SYNCIO is set (by the caller, or by a first AGAIN) writes wait: uvn_io returns AGAIN only
    /// for M_NOWAIT, so the act changes nothing and the DIAGNOSTIC panic ("PGO_SYNCIO return 'try again'
    /// error (impossible)") is not reached.
    /// </summary>
    [Theory]
    [InlineData("CleanIt|SyncIo", "[Again]", "io uvn_io 0x0")]
    [InlineData("CleanIt", "[Again, Again]", "io uvn_io 0x0, io uvn_io 0x0")]
    public void Again_UnderSyncIo_IsNotReturned(string flags, string interference, string sleeps)
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            $"Flush(obj: 2, start: 0x0, stop: 0x1000, flags: {flags}, interference: {interference})"
        );
        Assert.Equal(new Step("Ok(true)", sleeps), last);
        Assert.Contains("  file 0x0 data 1", obs);
    }

    /// <summary>PGO_DEACTIVATE without PGO_CLEANIT: unwired pages are deactivated, dirty or not, and nothing is written.</summary>
    [Fact]
    public void Deactivate_DeactivatesWithoutWriting()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Wire(obj: 2, start: 0x1000, stop: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: Deactivate)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
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
    /// PGO_FREE without PGO_CLEANIT: every page is freed unwritten, wired ones too (uvm_pageclean zeroes
    /// wire_count and uvmexp.wired).
    /// </summary>
    [Fact]
    public void Free_FreesEveryPageUnwrittenWiredOnesToo()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Wire(obj: 2, start: 0x1000, stop: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>PGO_FREE meets a busy page: uvm_pagewait(pp, "uvn_flsh"), the same offset again, then the free.</summary>
    [Fact]
    public void Free_BusyPage_IsWaitedForThenFreed()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x2000)",
            "Busy(obj: 2, off: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x4000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)", "uvn_flsh 0x2000"), last);
        Assert.Equal(EmptyVnode, obs[2]);
    }

    /// <summary>
    /// PGO_CLEANIT|PGO_SYNCIO meeting pages busy for other threads' I/O sets need_iosync; at the end
    /// uvn_flush sleeps on u_nio once, and the wakeup comes when the last I/O completes: one sleep for two
    /// busy pages.
    /// </summary>
    [Fact]
    public void SyncIo_BusyPages_OneWaitForAllInFlightIo()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x1000)",
            "Busy(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x3000)",
            "Busy(obj: 2, off: 0x3000)",
            "Flush(obj: 2, start: 0x0, stop: 0x4000, flags: CleanIt|SyncIo)"
        );
        Assert.Equal(new Step("Ok(true)", "uvn_flush 0x1000"), last);
        Assert.Equal("  page 0x1000 TABLED|CLEAN|ACTIVE wire 0 data 0 mapped rw", obs[3]);
        Assert.Equal("  page 0x3000 TABLED|CLEAN|ACTIVE wire 0 data 0 mapped rw", obs[4]);
    }

    /// <summary>Another thread starting I/O during the u_nio sleep makes uvn_flush sleep again until that completes too.</summary>
    [Fact]
    public void SyncIo_NewIoDuringTheWait_IsWaitedForToo()
    {
        var (last, _) = Last(
            "Alloc(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x2000)",
            "Busy(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x4000, flags: CleanIt|SyncIo, interference: [Unbusy(0x1000)+Busy(0x2000)])"
        );
        Assert.Equal(new Step("Ok(true)", "uvn_flush 0x1000, uvn_flush 0x2000"), last);
    }

    /// <summary>PGO_ALLPAGES: [0, round_page(u_size)), whatever start and stop say; the last half page is written too.</summary>
    [Fact]
    public void AllPages_CoversTheWholeFileIncludingTheLastPartialPage()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x28000)",
            "Dirty(obj: 2, off: 0x28000)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Free|AllPages)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x28000"), last);
        Assert.Contains("  file 0x28000 data 1", obs);
        Assert.Equal(EmptyVnode, obs[2]);
    }

    /// <summary>
    /// trunc_page(start), round_page(stop) clamped to round_page(u_size): an unaligned range still covers
    /// the pages it touches.
    /// </summary>
    [Fact]
    public void UnalignedRange_IsTruncatedAndRounded()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x28000)",
            "Flush(obj: 2, start: 0x800, stop: 0x1800, flags: Free)",
            "Flush(obj: 2, start: 0x27800, stop: 0x99000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>
    /// PGO_CLEANIT|PGO_DEACTIVATE: the cluster is written, then deactivated: clean, unmapped, inactive in
    /// cluster order.
    /// </summary>
    [Fact]
    public void CleanItDeactivate_WritesThenDeactivates()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt|Deactivate)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), last);
        AssertObservation(
            obs,
            "uvmexp free 94 active 0 inactive 2 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            "obj 2 vnode refs 1 npages 2",
            "  page 0x0 TABLED|CLEAN|CLEANCHK|INACTIVE wire 0 data 1",
            "  page 0x1000 TABLED|CLEAN|CLEANCHK|INACTIVE wire 0 data 2",
            "  file 0x0 data 1",
            "  file 0x1000 data 2",
            EmptyKernel,
            "inactive queue: obj 2 page 0x0",
            "inactive queue: obj 2 page 0x1000"
        );
    }

    /// <summary>
    /// uvm_mk_pcluster with PGO_DOACTCLUST: an active neighbour without PG_CLEANCHK is re-synced (PG_CLEAN
    /// but pmap_is_modified ⇒ dirty) and joins; a clean active page ends the cluster.
    /// </summary>
    [Fact]
    public void CleanIt_ActiveNeighbourModifiedSinceItsRead_IsReSyncedAndJoins()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Alloc(obj: 2, off: 0x2000)",
            "Alloc(obj: 2, off: 0x3000)",
            "Dirty(obj: 2, off: 0x3000)",
            "Flush(obj: 2, start: 0x0, stop: 0x4000, flags: CleanIt)"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0, io uvn_io 0x3000"), last);
        Assert.Equal(
            ["  file 0x0 data 1", "  file 0x1000 data 2", "  file 0x3000 data 3"],
            obs.Where(l => l.StartsWith("  file"))
        );
    }
}
