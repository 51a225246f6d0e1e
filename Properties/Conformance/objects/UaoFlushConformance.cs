using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>uvm_aobj.c 1.116: uao_flush, branch by branch, as before seed 000's diff.</summary>
[Trait("Category", "Conformance")]
public class UaoFlushConformance
{
    /// <summary>uao_flush: neither PGO_DEACTIVATE nor PGO_FREE ⇒ "nothing to do": returns TRUE at once.</summary>
    [Fact]
    public void CleanItAlone_DoesNothing()
    {
        var (last, obs) = Last("Alloc(obj: 1, off: 0x0)", "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: CleanIt)");
        Assert.Equal(new Step("Ok(true)"), last);
        Assert.Equal("  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw", obs[2]);
    }

    /// <summary>
    /// case PGO_DEACTIVATE (and PGO_CLEANIT|PGO_DEACTIVATE, PGO_CLEANIT|PGO_FREE, which fall into it):
    /// unwired pages go through uvm_pagedeactivate (mappings removed, inactive tail); wired pages are skipped.
    /// </summary>
    [Theory]
    [InlineData("Deactivate")]
    [InlineData("CleanIt|Deactivate")]
    [InlineData("CleanIt|Free")]
    public void Deactivate_MovesUnwiredPagesToTheInactiveTail(string flags)
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "Wire(obj: 1, start: 0x2000, stop: 0x3000)",
            $"Flush(obj: 1, start: 0x0, stop: 0x3000, flags: {flags})"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        AssertObservation(
            obs,
            "uvmexp free 93 active 0 inactive 2 wired 1 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 3",
            "  page 0x0 TABLED|INACTIVE|AOBJ wire 0 data 0",
            "  page 0x1000 TABLED|INACTIVE|AOBJ wire 0 data 0",
            "  page 0x2000 TABLED|AOBJ wire 1 data 0",
            EmptyVnode,
            EmptyKernel,
            "inactive queue: obj 1 page 0x0",
            "inactive queue: obj 1 page 0x1000"
        );
    }

    /// <summary>
    /// case PGO_FREE with one reference: pmap_page_protect(PROT_NONE), uao_dropswap, uvm_pagefree; wired
    /// pages are skipped ("wired page, skip").
    /// </summary>
    [Fact]
    public void Free_FreesUnwiredPagesAndTheirSlots()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Dirty(obj: 1, off: 0x0)",
            "PageOut(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x0)",
            "Wire(obj: 1, start: 0x1000, stop: 0x2000)",
            "Flush(obj: 1, start: 0x0, stop: 0x2000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 0 inactive 0 wired 1 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x1000 TABLED|AOBJ wire 1 data 0",
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>case PGO_FREE with uo_refs &gt; 1: "someone else is using the object": deactivate instead of freeing.</summary>
    [Fact]
    public void Free_WithAnotherReference_DeactivatesInstead()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Ref(obj: 1)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        Assert.Equal("obj 1 aobj refs 2 npages 1", obs[1]);
        Assert.Equal("  page 0x0 TABLED|INACTIVE|AOBJ wire 0 data 0", obs[2]);
    }

    /// <summary>default: panic("uao_flush: weird flags") for PGO_FREE|PGO_DEACTIVATE.</summary>
    [Fact]
    public void FreeAndDeactivate_PanicsOnWeirdFlags()
    {
        var (last, _) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Deactivate|Free)"
        );
        Assert.Equal(new Step("Panic(uao_flush: weird flags)"), last);
    }

    /// <summary>
    /// A busy page: uvm_pagewait(pg, "uaoflsh") and the same offset is looked up again; when the other
    /// thread's I/O completes the page is freed.
    /// </summary>
    [Fact]
    public void BusyPage_IsWaitedForAndLookedUpAgain()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x4000)",
            "Busy(obj: 1, off: 0x4000)",
            "Flush(obj: 1, start: 0x0, stop: 0x8000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)", "uaoflsh 0x4000"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>
    /// The page slept on is freed by another thread and a new page faulted in at the same offset: the
    /// lookup after the wake-up finds the new page and frees it.
    /// </summary>
    [Fact]
    public void BusyPageReplacedDuringTheSleep_TheNewPageIsFreed()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Busy(obj: 1, off: 0x0)",
            "Flush(obj: 1, start: 0x0, stop: 0x1000, flags: Free, interference: [Free(here)+Insert(here)])"
        );
        Assert.Equal(new Step("Ok(true)", "uaoflsh 0x0"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>PGO_ALLPAGES: start 0, stop the object's size, whatever the arguments say.</summary>
    [Fact]
    public void AllPages_CoversTheWholeObject()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x2f000)",
            "Flush(obj: 1, start: 0x5000, stop: 0x6000, flags: Free|AllPages)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        Assert.Equal(EmptyAobj, obs[1]);
    }

    /// <summary>trunc_page(start), round_page(stop), and stop clamped to the object's size.</summary>
    [Fact]
    public void UnalignedAndOversizedRange_IsTruncatedRoundedAndClamped()
    {
        var (last, obs) = Last(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x1000)",
            "Alloc(obj: 1, off: 0x2000)",
            "Alloc(obj: 1, off: 0x2f000)",
            "Flush(obj: 1, start: 0x800, stop: 0x1800, flags: Free)",
            "Flush(obj: 1, start: 0x2f000, stop: 0x99000, flags: Free)"
        );
        Assert.Equal(new Step("Ok(true)"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            "obj 1 aobj refs 1 npages 1",
            "  page 0x2000 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
            EmptyVnode,
            EmptyKernel,
            "active queue: obj 1 page 0x2000"
        );
    }
}
