using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using Xunit;
using static UvmDiff.Properties.BothSides;

namespace UvmDiff.Properties;

/// <summary>
/// The page primitives of uvm_page.c (semantics brief §1), shared by every side: pagealloc, the queue
/// moves, pagewire/pageunwire, page_unbusy, pagefree.
/// </summary>
[Trait("Category", "Law")]
public class PagePrimitivesLaws
{
    /// <summary>uao_get zero-fills with uvm_pagezero, which clears PG_CLEAN; the fault activates to the tail.</summary>
    [Fact]
    public void FaultIn_ZeroFillAobjPage_IsNotCleanAndJoinsTheActiveTail()
    {
        var (_, obs) = Run("Alloc(obj: 1, off: 0x2000)", "Alloc(obj: 1, off: 0x0)");
        Assert.Equal("  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw", Page(obs, 1, 0x0));
        Assert.Equal(["active queue: obj 1 page 0x2000", "active queue: obj 1 page 0x0"], Queue(obs, "active"));
        Assert.Equal("uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>uvn_get: pagealloc sets PG_CLEAN, the page holds the file's block.</summary>
    [Fact]
    public void FaultIn_VnodePage_IsCleanAndHoldsTheFileBlock()
    {
        var (_, obs) = Run([
            .. Faulted(2, 0),
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Free)",
            "Alloc(obj: 2, off: 0x0)",
        ]);
        Assert.Equal("  page 0x0 TABLED|CLEAN|ACTIVE wire 0 data 1 mapped rw", Page(obs, 2, 0x0));
    }

    /// <summary>uvm_pagedeactivate: on the move to inactive, PG_CLEAN is cleared when the pmap says modified.</summary>
    [Fact]
    public void Deactivate_ModifiedPage_LosesCleanAndMovesToTheInactiveQueue()
    {
        var (_, obs) = Run([.. Faulted(2, 0), "Deactivate(obj: 2, off: 0x0)"]);
        Assert.Equal("  page 0x0 TABLED|INACTIVE wire 0 data 1 modified", Page(obs, 2, 0x0));
        Assert.Equal(["inactive queue: obj 2 page 0x0"], Queue(obs, "inactive"));
        Assert.Empty(Queue(obs, "active"));
        Assert.Equal("uvmexp free 95 active 0 inactive 1 wired 0 swpginuse 0 swpgonly 0", obs[0]);
    }

    [Fact]
    public void Deactivate_UnmodifiedPage_StaysClean()
    {
        var (_, obs) = Run("Alloc(obj: 2, off: 0x0)", "Deactivate(obj: 2, off: 0x0)");
        Assert.Equal("  page 0x0 TABLED|CLEAN|INACTIVE wire 0 data 0", Page(obs, 2, 0x0));
    }

    /// <summary>uvm_pagedeactivate does nothing to a page already inactive: no requeue, no CLEAN re-sync.</summary>
    [Fact]
    public void Deactivate_PageAlreadyInactive_KeepsItsPlaceAndItsCleanBit()
    {
        var (last, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Deactivate(obj: 2, off: 0x0)",
            "Deactivate(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Deactivate)"
        );
        Assert.Equal(new Seen("Ok(true)", ""), last);
        Assert.Equal(["inactive queue: obj 2 page 0x0", "inactive queue: obj 2 page 0x1000"], Queue(obs, "inactive"));
        Assert.Equal("  page 0x0 TABLED|CLEAN|INACTIVE wire 0 data 0", Page(obs, 2, 0x0));
        Assert.Equal("uvmexp free 94 active 0 inactive 2 wired 0 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>uvm_pagewire dequeues and counts the page once, on 0 -> 1; wire_count counts every wiring.</summary>
    [Fact]
    public void Wire_Twice_TakesThePageOffTheQueuesAndCountsItOnce()
    {
        var (_, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Wire(obj: 2, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal("  page 0x0 TABLED|CLEAN wire 2 data 0 mapped rw", Page(obs, 2, 0x0));
        Assert.Empty(Queue(obs, "active"));
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", obs[0]);
    }

    /// <summary>uvm_pageunwire: only the last unwiring activates (to the tail) and decrements uvmexp.wired.</summary>
    [Fact]
    public void Unwire_OnlyTheLastUnwiring_ActivatesThePageAtTheTail()
    {
        var (_, once) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Alloc(obj: 2, off: 0x1000)",
            "Unwire(obj: 2, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal("  page 0x0 TABLED|CLEAN wire 1 data 0", Page(once, 2, 0x0));
        Assert.Equal("uvmexp free 94 active 1 inactive 0 wired 1 swpginuse 0 swpgonly 0", once[0]);

        var (_, twice) = Run(
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            "Alloc(obj: 2, off: 0x1000)",
            "Unwire(obj: 2, start: 0x0, stop: 0x1000)",
            "Unwire(obj: 2, start: 0x0, stop: 0x1000)"
        );
        Assert.Equal("  page 0x0 TABLED|CLEAN|ACTIVE wire 0 data 0", Page(twice, 2, 0x0));
        Assert.Equal(["active queue: obj 2 page 0x1000", "active queue: obj 2 page 0x0"], Queue(twice, "active"));
        Assert.Equal("uvmexp free 94 active 2 inactive 0 wired 0 swpginuse 0 swpgonly 0", twice[0]);
    }

    /// <summary>uvm_pagewait sets PG_WANTED; uvm_page_unbusy wakes the sleeper and clears BUSY|WANTED.</summary>
    [Fact]
    public void BusyPage_WaitedForByAFlush_EndsNeitherBusyNorWanted()
    {
        var (last, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Deactivate)"
        );
        Assert.Equal(new Seen("Ok(true)", "uaoflsh 0x0"), last);
        Assert.Equal("  page 0x0 TABLED|INACTIVE|AOBJ wire 0 data 0", Page(obs, 1, 0x0));
    }

    /// <summary>uvm_pageclean zeroes wire_count and decrements uvmexp.wired for a wired page being freed.</summary>
    [Fact]
    public void Free_OfAWiredPage_GivesItsWiringBack()
    {
        var (_, obs) = Run("Wire(obj: 2, start: 0x0, stop: 0x2000)", "FreePage(obj: 2, off: 0x0)");
        Assert.Equal("uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0", obs[0]);
        Assert.Contains("obj 2 vnode refs 1 npages 1", obs);
    }

    /// <summary>uvm_pagefree of a queued page: dequeued, untabled, back in the free count.</summary>
    [Fact]
    public void Free_OfAnInactivePage_DequeuesAndUntablesIt()
    {
        var (_, obs) = Run(
            "Alloc(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Deactivate(obj: 2, off: 0x0)",
            "FreePage(obj: 2, off: 0x0)"
        );
        Assert.Equal("uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0", obs[0]);
        Assert.Contains("obj 2 vnode refs 1 npages 1", obs);
        Assert.Empty(Queue(obs, "inactive"));
    }

    /// <summary>uvm_page_unbusy of a PG_RELEASED page frees it instead of unbusying it.</summary>
    [Fact]
    public void Unbusy_OfAReleasedPage_FreesIt()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        side.Apply(ObjOpParser.Parse("Alloc(obj: 2, off: 0x3000)"));
        side.Apply(ObjOpParser.Parse("Busy(obj: 2, off: 0x3000)"));
        var uvm = side.Machine;
        var pg = uvm.Objects[1].Pages.Lookup(0x3000)!;
        pg.Flags |= PgFlags.Released;

        Pages.Unbusy(uvm, pg);

        Assert.Null(uvm.Objects[1].Pages.Lookup(0x3000));
        Assert.Equal(PgFlags.QueueFree, pg.Flags);
        Assert.Equal(96, uvm.Exp.Free);
        Assert.Equal(0, uvm.Exp.Active);
        Assert.Null(Invariants.Check(uvm));
    }

    /// <summary>uvm_page_unbusy of an ordinary busy page: BUSY and WANTED go, everything else stays.</summary>
    [Fact]
    public void Unbusy_OfAWantedPage_ClearsBusyAndWantedOnly()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        side.Apply(ObjOpParser.Parse("Alloc(obj: 2, off: 0x3000)"));
        side.Apply(ObjOpParser.Parse("Busy(obj: 2, off: 0x3000)"));
        var pg = side.Machine.Objects[1].Pages.Lookup(0x3000)!;
        pg.Flags |= PgFlags.Wanted;

        Pages.Unbusy(side.Machine, pg);

        Assert.Equal(PgFlags.Tabled | PgFlags.Clean | PgFlags.QueueActive, pg.Flags);
        Assert.Null(pg.Owner);
    }
}
