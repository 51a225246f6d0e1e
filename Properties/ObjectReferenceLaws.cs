using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Spec.Routines;
using Xunit;
using static UvmDiff.Properties.BothSides;

namespace UvmDiff.Properties;

/// <summary>
/// Kernel behaviour the reference must show, including the quirks it mirrors on purpose. The
/// differential test cannot see these (both sides share the code), so they are pinned here, on
/// the reference and on the implementation alike.
/// </summary>
[Trait("Category", "Law")]
public class ObjectReferenceLaws
{
    [Fact]
    public void UvnFlush_ContiguousDirtyPages_AreWrittenInOneClusterAndMarkedClean()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0, 1, 2, 3, 4),
            "Flush(obj: 2, start: 0x0, stop: 0x5000, flags: CleanIt|SyncIo)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal(5, obs.Count(l => l.StartsWith("  file 0x", StringComparison.Ordinal)));
        Assert.All(
            obs.Where(l => l.StartsWith("  page", StringComparison.Ordinal)),
            l => Assert.Contains("|CLEAN|CLEANCHK|", l)
        );
    }

    [Fact]
    public void UvnFlush_CleanPageInTheRun_SplitsTheCluster()
    {
        var (last, _) = Run([
            .. Faulted(2, 0, 1, 3),
            "Alloc(obj: 2, off: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x4000, flags: CleanIt)",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0, io uvn_io 0x3000"), last);
    }

    [Fact]
    public void UvnFlush_WriteFailsDuringFreeFlush_ReturnsFalseAndFreesThePageAnyway()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0),
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Free, interference: [IoError])",
        ]);
        Assert.Equal(new Seen("Ok(false)", "io uvn_io 0x0"), last);
        Assert.Contains("obj 2 vnode refs 1 npages 0", obs);
        Assert.DoesNotContain(obs, l => l.StartsWith("  file", StringComparison.Ordinal));
    }

    [Fact]
    public void UvnFlush_WriteFailsWithoutFree_MarksThePageCleanAnyway()
    {
        var (last, obs) = Run([
            .. Faulted(2, 0),
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt, interference: [IoError])",
        ]);
        Assert.Equal(new Seen("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Contains(obs, l => l.StartsWith("  page 0x0 TABLED|CLEAN|CLEANCHK|ACTIVE", StringComparison.Ordinal));
        Assert.DoesNotContain(obs, l => l.StartsWith("  file", StringComparison.Ordinal));
    }

    [Fact]
    public void UvnFlush_FreeFlush_FreesWiredPagesToo()
    {
        var (_, obs) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x2000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: Free)"
        );
        Assert.Contains("obj 2 vnode refs 1 npages 0", obs);
        Assert.StartsWith("uvmexp free 96 active 0 inactive 0 wired 0 ", obs[0]);
    }

    [Fact]
    public void UvnFlush_BusyPageUnderFreeFlush_IsWaitedForThenFreed()
    {
        var (last, obs) = Run(
            "Alloc(obj: 2, off: 0x1000)",
            "Busy(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: Free)"
        );
        Assert.Equal(new Seen("Ok(true)", "uvn_flsh 0x1000"), last);
        Assert.Contains("obj 2 vnode refs 1 npages 0", obs);
    }

    [Fact]
    public void UaoFlush_FreeTogetherWithDeactivate_PanicsWeirdFlags()
    {
        var (last, _) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Deactivate|Free)"
        );
        Assert.Equal("Panic(uao_flush: weird flags)", last.Result);
    }

    [Fact]
    public void UaoFlush_FreeWithAnotherReference_OnlyDeactivates()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Ref(obj: 1)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Free)"
        );
        Assert.Contains(
            obs,
            l =>
                l.StartsWith("  page 0x0 TABLED|CLEAN|INACTIVE", StringComparison.Ordinal)
                || l.StartsWith("  page 0x0 TABLED|INACTIVE", StringComparison.Ordinal)
        );
    }

    [Fact]
    public void UaoFlush_CleanItAlone_DoesNothing()
    {
        var (last, obs) = Run("Alloc(obj: 1, off: 0x0)", "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: CleanIt)");
        Assert.Equal("Ok(true)", last.Result);
        Assert.Contains("active queue: obj 1 page 0x0", obs);
    }

    [Fact]
    public void KmPgremove_PagedOutAndBadSlots_AreAllDroppedAndSubtractedFromSwpgonly()
    {
        var (_, obs) = Run(
            "Alloc(obj: 3, off: 0x0)",
            "Alloc(obj: 3, off: 0x1000)",
            "Alloc(obj: 3, off: 0x2000)",
            "PageOut(obj: 3, off: 0x0)",
            "PageOut(obj: 3, off: 0x1000)",
            "Alloc(obj: 3, off: 0x1000, fail: true)",
            "KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000003000)"
        );
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 0", obs[0]);
        Assert.DoesNotContain(obs, l => l.StartsWith("  swap", StringComparison.Ordinal));
    }

    [Fact]
    public void SwapIn_ThatFails_LeavesSwslotBadAndTheSlotAllocated()
    {
        var (last, obs) = Run(
            "Alloc(obj: 1, off: 0x3000)",
            "PageOut(obj: 1, off: 0x3000)",
            "Alloc(obj: 1, off: 0x3000, fail: true)"
        );
        Assert.Equal("EIO", last.Result);
        Assert.Contains("  swap 0x3000 SWSLOT_BAD", obs);
        Assert.Equal("uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 1", obs[0]);
    }

    [Fact]
    public void ObjWire_AobjPage_DropsTheSwapSlotOfItsBatchIndexNotItsOwn()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x5000)",
            "PageOut(obj: 1, off: 0x5000)",
            "Wire(obj: 1, start: 0x5000, stop: 0x6000)"
        );
        Assert.DoesNotContain("  swap 0x0 data 0", obs);
        Assert.Contains(obs, l => l.StartsWith("  swap 0x5000", StringComparison.Ordinal));
        Assert.Contains(obs, l => l.StartsWith("  page 0x5000 TABLED|AOBJ wire 1", StringComparison.Ordinal));
    }

    [Fact]
    public void ObjUnwire_HoleLeftByFreedWiredPage_PanicsOnTheAssertion()
    {
        var (last, _) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x2000)",
            "FreePage(obj: 2, off: 0x1000)",
            "Unwire(obj: 2, start: 0x0, stop: 0x2000)"
        );
        Assert.Equal("Panic(kernel diagnostic assertion \"pg != NULL\" failed)", last.Result);
    }

    [Fact]
    public void Unwire_OfARangeTheCallerNeverWired_IsRefusedBeforeTheRoutine()
    {
        var (last, _) = Run("Alloc(obj: 2, off: 0x0)", "Unwire(obj: 2, start: 0x0, stop: 0x1000)");
        Assert.Equal("EINVAL", last.Result);
    }

    [Fact]
    public void Unwire_WhenAWiredPageWasFreedAndFaultedBackIn_IsRefusedBeforeTheRoutine()
    {
        var (last, _) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Free)",
            "Alloc(obj: 2, off: 0x0)",
            "Unwire(obj: 2, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal("EINVAL", last.Result);
    }

    [Fact]
    public void FreedPage_IsTheNextOneAllocated()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        side.Apply(ObjOpParser.Parse("Alloc(obj: 1, off: 0x7000)"));
        var freed = side.Machine.Objects[0].Pages.Lookup(0x7000)!;
        side.Apply(ObjOpParser.Parse("FreePage(obj: 1, off: 0x7000)"));
        side.Apply(ObjOpParser.Parse("Alloc(obj: 2, off: 0x0)"));
        Assert.Same(freed, side.Machine.Objects[1].Pages.Lookup(0));
    }
}
