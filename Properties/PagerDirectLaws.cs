using UvmDiff.Harness.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Kernel rules of the shared primitives that no op sequence can observe (the flush frees or
/// unbusies the pages before returning), checked by calling the Spec directly: uvm_mk_pcluster's
/// RELEASED marking, uvm_pager_dropcluster, and the page-layer assertions of semantics brief §1.
/// </summary>
[Trait("Category", "Law")]
public class PagerDirectLaws
{
    private sealed class FailingIo : ISleepHook
    {
        public WakeResult Slept(Uvm uvm, SleepPoint point) => point.IsIo ? WakeResult.IoError : WakeResult.Normal;
    }

    private static (Uvm Uvm, VnodeObject Vn) ThreeDirtyVnodePages()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (var off in new[] { "0x0", "0x1000", "0x2000" })
        {
            side.Apply(ObjOpParser.Parse($"Alloc(obj: 2, off: {off})"));
            side.Apply(ObjOpParser.Parse($"Dirty(obj: 2, off: {off})"));
        }
        return (side.Machine, (VnodeObject)side.Machine.Objects[1]);
    }

    private static VmPage Center(Uvm uvm, VnodeObject vn)
    {
        var center = vn.Pages.Lookup(0)!;
        center.Flags = (center.Flags | PgFlags.Busy) & ~PgFlags.Clean;
        center.Owner = "uvn_flush";
        uvm.LockPageq();
        return center;
    }

    /// <summary>uvm_mk_pcluster: enrolled pages are BUSY, and RELEASED when freeing asynchronously (FREE without SYNCIO).</summary>
    [Theory]
    [InlineData(PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.DoActClust, true)]
    [InlineData(PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.SyncIo | PgoFlags.DoActClust, false)]
    [InlineData(PgoFlags.CleanIt | PgoFlags.DoActClust, false)]
    public void MakeCluster_EnrolledPages_AreBusyAndReleasedOnlyForAnAsyncFree(PgoFlags flags, bool released)
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var center = Center(uvm, vn);
        var pps = new VmPage[Pager.ClusterCapacity];

        var (first, count) = Pager.MakeCluster(uvm, vn, pps, center, flags, 0, 0x3000);

        Assert.Equal((0, 3), (first, count));
        foreach (var pg in pps[1..3])
        {
            Assert.True(pg.Has(PgFlags.Busy));
            Assert.Equal(released, pg.Has(PgFlags.Released));
        }
    }

    /// <summary>uvm_pager_put after a failed write: uvm_pager_dropcluster unbusies every cluster page but pg.</summary>
    [Fact]
    public void Put_WriteFails_UnbusiesEveryClusterPageButTheCenter()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var center = Center(uvm, vn);
        uvm.SleepHook = new FailingIo();
        var pps = new VmPage[Pager.ClusterCapacity];

        var result = Pager.Put(
            uvm,
            vn,
            center,
            pps,
            PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.DoActClust,
            0,
            0x3000,
            out _,
            out int count
        );

        Assert.Equal(PagerResult.Error, result);
        Assert.Equal(3, count);
        Assert.True(center.Has(PgFlags.Busy));
        Assert.All(pps[1..3], pg => Assert.False(pg.Has(PgFlags.Busy | PgFlags.Released)));
        Assert.All(vn.File.ToArray(), block => Assert.Equal(0, block));
    }

    /// <summary>uvm_pageinsert: a second page at an occupied offset trips the dupe assertion.</summary>
    [Fact]
    public void Alloc_AtAnOccupiedOffset_PanicsOnTheDupeAssertion()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var panic = Assert.Throws<KernelPanic>(() => Pages.Alloc(uvm, vn, 0x1000, zero: false, "test"));
        Assert.Contains("dupe == NULL", panic.Message);
    }

    /// <summary>uvm_pagedeactivate: KASSERT(pg->wire_count == 0) when the page is not already inactive.</summary>
    [Fact]
    public void Deactivate_OfAWiredPage_Panics()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var pg = vn.Pages.Lookup(0x1000)!;
        uvm.LockPageq();
        Pages.Wire(uvm, pg);
        var panic = Assert.Throws<KernelPanic>(() => Pages.Deactivate(uvm, pg));
        Assert.Contains("pg->wire_count == 0", panic.Message);
    }

    /// <summary>uvm_pageactivate dequeues first: an inactive page moves to the active tail, counters follow.</summary>
    [Fact]
    public void Activate_OfAnInactivePage_MovesItToTheActiveTail()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var pg = vn.Pages.Lookup(0x0)!;
        uvm.LockPageq();
        Pages.Deactivate(uvm, pg);
        Pages.Activate(uvm, pg);
        uvm.UnlockPageq();
        Assert.Same(pg, uvm.Active.Tail);
        Assert.False(pg.Has(PgFlags.QueueInactive));
        Assert.Equal((3, 0), (uvm.Exp.Active, uvm.Exp.Inactive));
        Assert.Null(Invariants.Check(uvm));
    }

    /// <summary>uvm_pageclean bumps pg_version when the page leaves its object.</summary>
    [Fact]
    public void Free_BumpsThePageVersion()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var pg = vn.Pages.Lookup(0x2000)!;
        uint before = pg.Version;
        uvm.LockPageq();
        Pages.Dequeue(uvm, pg);
        uvm.UnlockPageq();
        Pages.Free(uvm, pg);
        Assert.Equal(before + 1, pg.Version);
    }

    /// <summary>uvm_page_unbusy and uvm_pagewait assert the page is busy.</summary>
    [Fact]
    public void UnbusyOrWait_OnAPageThatIsNotBusy_Panics()
    {
        var (uvm, vn) = ThreeDirtyVnodePages();
        var pg = vn.Pages.Lookup(0x0)!;
        Assert.Contains("PG_BUSY", Assert.Throws<KernelPanic>(() => Pages.Unbusy(uvm, pg)).Message);
        Assert.Contains("PG_BUSY", Assert.Throws<KernelPanic>(() => Pages.Wait(uvm, pg, "test")).Message);
    }
}
