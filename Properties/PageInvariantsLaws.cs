using UvmDiff.Harness.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Invariants.Check must report each quiescent-point invariant of the semantics brief (§1) when it
/// breaks: a check that never fires would let every differential run pass. Each test breaks one
/// invariant by hand on an otherwise sound machine.
/// </summary>
[Trait("Category", "Law")]
public class PageInvariantsLaws
{
    private static Uvm Machine(out VmPage active, out VmPage inactive, out VmPage wired)
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (
            var line in new[]
            {
                "Alloc(obj: 2, off: 0x0)",
                "Alloc(obj: 2, off: 0x1000)",
                "Alloc(obj: 2, off: 0x2000)",
                "Alloc(obj: 2, off: 0x3000)",
                "Deactivate(obj: 2, off: 0x3000)",
                "Wire(obj: 1, start: 0x0, stop: 0x1000)",
            }
        )
            side.Apply(ObjOpParser.Parse(line));
        var uvm = side.Machine;
        Assert.Null(Invariants.Check(uvm));
        active = uvm.Objects[1].Pages.Lookup(0x1000)!;
        inactive = uvm.Objects[1].Pages.Lookup(0x3000)!;
        wired = uvm.Objects[0].Pages.Lookup(0x0)!;
        return uvm;
    }

    private static void AssertReports(Uvm uvm, string fragment)
    {
        var violation = Invariants.Check(uvm);
        Assert.NotNull(violation);
        Assert.Contains(fragment, violation);
    }

    [Fact]
    public void Check_PageQueueLockHeldBetweenOperations_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.PageqLocked = true;
        AssertReports(uvm, "pageqlock");
    }

    [Fact]
    public void Check_UoNpagesDifferentFromTheTreeSize_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Objects[1].NPages++;
        AssertReports(uvm, "uo_npages");
    }

    [Fact]
    public void Check_TabledPageWithoutOwner_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags &= ~PgFlags.Tabled;
        AssertReports(uvm, "PG_TABLED");
    }

    [Fact]
    public void Check_TabledPageMissingFromItsObjectsIndex_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        uvm.Objects[1].Pages.Remove(active);
        uvm.Objects[1].NPages--;
        AssertReports(uvm, "not found in its object's index");
    }

    [Fact]
    public void Check_ReleasedWithoutBusy_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.Released;
        AssertReports(uvm, "PG_RELEASED without PG_BUSY");
    }

    [Fact]
    public void Check_PageLeftBusyByAReturnedRoutine_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.Busy;
        active.Owner = "uvn_flush";
        AssertReports(uvm, "still busy for uvn_flush");
    }

    [Fact]
    public void Check_PageBusyForAnotherThread_IsFine()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.Busy;
        active.Owner = Owners.OtherThread;
        Assert.Null(Invariants.Check(uvm));
    }

    [Fact]
    public void Check_PageFlaggedOnBothQueues_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.QueueInactive;
        AssertReports(uvm, "on both page queues");
    }

    [Fact]
    public void Check_WiredPageOnAQueue_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.WireCount = 1;
        uvm.Exp.Wired++;
        AssertReports(uvm, "but on a page queue");
    }

    [Fact]
    public void Check_UvmexpWiredOff_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Exp.Wired--;
        AssertReports(uvm, "uvmexp.wired");
    }

    [Fact]
    public void Check_UvmexpFreeOff_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Exp.Free++;
        AssertReports(uvm, "uvmexp.free");
    }

    [Fact]
    public void Check_FreePageWithOtherFlags_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        var free = uvm.Frames.First(p => p.Has(PgFlags.QueueFree));
        free.Flags |= PgFlags.Clean;
        AssertReports(uvm, "free page with flags");
    }

    [Fact]
    public void Check_ActiveCounterOff_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Exp.Active++;
        AssertReports(uvm, "active queue");
    }

    [Fact]
    public void Check_InactiveCounterOff_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Exp.Inactive--;
        AssertReports(uvm, "inactive queue");
    }

    [Fact]
    public void Check_QueuedPageWithoutItsQueueFlag_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags &= ~PgFlags.QueueActive;
        AssertReports(uvm, "without its flag");
    }

    [Fact]
    public void Check_BrokenBackLink_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.QueuePrev = null;
        AssertReports(uvm, "broken back link");
    }

    [Fact]
    public void Check_TailNotEndingTheList_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Active.Tail = uvm.Active.Head;
        AssertReports(uvm, "tail does not end the list");
    }

    [Fact]
    public void Check_TailqLengthOff_IsReported()
    {
        var uvm = Machine(out _, out var inactive, out _);
        Assert.Same(inactive, uvm.Inactive.Head);
        uvm.Inactive.Length++;
        AssertReports(uvm, "TAILQ says 2");
    }

    [Fact]
    public void Check_WiredPageCountedRight_IsFine()
    {
        var uvm = Machine(out _, out _, out var wired);
        Assert.Equal(1u, wired.WireCount);
        Assert.Equal(1, uvm.Exp.Wired);
        Assert.Null(Invariants.Check(uvm));
    }

    [Fact]
    public void CheckPage_FreePageStillLinked_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        var free = uvm.Frames.First(p => p.Has(PgFlags.QueueFree));
        free.QueueNext = active;
        Assert.Contains("free page still linked on a queue", Invariants.CheckPage(uvm, free));
    }

    [Fact]
    public void CheckPage_TabledPageWithNoObject_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Object = null;
        Assert.Contains("owner is none", Invariants.CheckPage(uvm, active));
    }

    [Fact]
    public void CheckPage_PageOnNoQueueStillLinked_IsReported()
    {
        var uvm = Machine(out var active, out _, out var wired);
        wired.QueuePrev = active;
        Assert.Contains("on no queue but still linked", Invariants.CheckPage(uvm, wired));
    }

    [Fact]
    public void CheckPage_BrokenForwardLinks_AreReported()
    {
        var uvm = Machine(out var active, out _, out _);
        var head = uvm.Active.Head!;
        Assert.Same(head, active.QueuePrev);
        head.QueueNext = active.QueueNext;
        Assert.Contains("broken forward link", Invariants.CheckPage(uvm, active));
        uvm.Active.Head = active;
        Assert.Contains("broken forward link", Invariants.CheckPage(uvm, head));
    }

    [Fact]
    public void CheckPage_BrokenBackLinks_AreReported()
    {
        var uvm = Machine(out var active, out _, out _);
        var tail = uvm.Active.Tail!;
        Assert.Same(tail, active.QueueNext);
        tail.QueuePrev = null;
        Assert.Contains("broken back link", Invariants.CheckPage(uvm, active));
        tail.QueuePrev = active;
        uvm.Active.Tail = active;
        Assert.Contains("broken back link", Invariants.CheckPage(uvm, tail));
    }

    [Fact]
    public void CheckCounts_PageQueueLockHeld_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.PageqLocked = true;
        Assert.Contains("pageqlock", Invariants.CheckCounts(uvm, new Invariants.PageCounts()));
    }

    [Fact]
    public void Check_MorePagesLinkedThanTailqSays_IsReported()
    {
        var uvm = Machine(out _, out _, out _);
        uvm.Active.Length--;
        AssertReports(uvm, "more pages linked than TAILQ says");
    }

    [Fact]
    public void CheckObject_PageKeyedAtAnotherOffset_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Offset = 0x7000;
        Assert.Equal(
            "obj 2: hash index: page keyed at 0x1000 has offset 0x7000",
            Invariants.CheckObject(uvm.Objects[1])
        );
    }

    [Fact]
    public void HashIndexRemove_OfAPageNotInIt_Panics()
    {
        var uvm = Machine(out var active, out var inactive, out _);
        var index = uvm.Objects[1].Pages;
        var stranger = uvm.Frames.First(p => p.Has(PgFlags.QueueFree));
        stranger.Offset = 0x1000;
        Assert.Equal(
            "RBT_REMOVE: page not in uvm_objtree",
            Assert.Throws<Spec.Kernel.KernelPanic>(() => index.Remove(stranger)).Message
        );
        stranger.Offset = 0x9000;
        Assert.Equal(
            "RBT_REMOVE: page not in uvm_objtree",
            Assert.Throws<Spec.Kernel.KernelPanic>(() => index.Remove(stranger)).Message
        );
        Assert.Same(active, index.Lookup(0x1000));
        Assert.Same(inactive, index.Lookup(0x3000));
    }

    /// <summary>
    /// CheckChanged, the kernels' per-step check, reports a broken page or object the step's changes list
    /// (the page's own setter lists it), and the counters once anything is listed; with nothing listed it
    /// has nothing to check.
    /// </summary>
    [Fact]
    public void CheckChanged_BrokenListedPageOrObjectOrCounter_IsReported()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.Released;
        Assert.Contains("PG_RELEASED", Invariants.CheckChanged(uvm));
        uvm.Changes.Clear();
        Assert.Null(Invariants.CheckChanged(uvm));

        uvm = Machine(out _, out _, out _);
        uvm.Objects[1].NPages++;
        uvm.Changes.Object(uvm.Objects[1]);
        Assert.Contains("uo_npages", Invariants.CheckChanged(uvm));

        uvm = Machine(out _, out var inactive, out _);
        uvm.Exp.Wired--;
        uvm.Changes.Page(inactive);
        Assert.Contains("uvmexp.wired", Invariants.CheckChanged(uvm));
    }

    [Fact]
    public void CheckStep_EmptiesTheChangeList()
    {
        var uvm = Machine(out var active, out _, out _);
        active.Flags |= PgFlags.Released;
        Assert.NotNull(Invariants.CheckStep(uvm, full: false));
        Assert.Null(Invariants.CheckStep(uvm, full: false));
        Assert.NotNull(Invariants.CheckStep(uvm, full: true));
    }
}
