using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>uvm_km.c 1.157: uvm_km_pgremove on the kernel object, as before seed 000's diff.</summary>
[Trait("Category", "Conformance")]
public class KmPgremoveConformance
{
    /// <summary>
    /// For every offset: uao_dropswap, then uvm_pagefree for a resident page, or swpgonlydelta++ for a
    /// nonzero slot without one; uvmexp.swpgonly -= swpgonlydelta at the end.
    /// </summary>
    [Fact]
    public void ResidentPagesAndSwapOnlySlots_AreAllRemoved()
    {
        var (last, obs) = Last(
            "Alloc(obj: 3, off: 0x0)",
            "Alloc(obj: 3, off: 0x1000)",
            "Dirty(obj: 3, off: 0x1000)",
            "PageOut(obj: 3, off: 0x1000)",
            "Alloc(obj: 3, off: 0x2000)",
            "Dirty(obj: 3, off: 0x2000)",
            "PageOut(obj: 3, off: 0x2000)",
            "Alloc(obj: 3, off: 0x2000)",
            "Alloc(obj: 3, off: 0x5000)",
            "KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000003000)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 95 active 1 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            "obj 3 kernel aobj refs 1 npages 1",
            "  page 0x5000 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
            "active queue: obj 3 page 0x5000"
        );
    }

    /// <summary>
    /// A SWSLOT_BAD slot is nonzero: counted in swpgonlydelta like any slot, while uvm_swap_free ignores it,
    /// so swpginuse keeps the bad slot for good.
    /// </summary>
    [Fact]
    public void SwslotBad_IsCountedAgainstSwpgonlyButStaysInUse()
    {
        var (last, obs) = Last(
            "Alloc(obj: 3, off: 0x0)",
            "Dirty(obj: 3, off: 0x0)",
            "PageOut(obj: 3, off: 0x0)",
            "Alloc(obj: 3, off: 0x0, fail: true)",
            "KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000001000)"
        );
        Assert.Equal(new Step("Ok"), last);
        AssertObservation(
            obs,
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 1 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
    }

    /// <summary>A busy page: uvm_pagewait(pp, "km_pgrm"), then the same offset again.</summary>
    [Fact]
    public void BusyPage_IsWaitedForThenFreed()
    {
        var (last, obs) = Last(
            "Alloc(obj: 3, off: 0x3000)",
            "Busy(obj: 3, off: 0x3000)",
            "KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000008000)"
        );
        Assert.Equal(new Step("Ok", "km_pgrm 0x3000"), last);
        Assert.Equal(EmptyKernel, obs[3]);
    }

    /// <summary>
    /// The kernel's sleep has no bound, but a routine that sleeps on one page past any bound the kernel
    /// could need is a hang: another thread re-busying the page on every wake-up keeps it waiting.
    /// </summary>
    [Fact]
    public void PageKeptBusyForever_IsAHang()
    {
        string wakes = string.Join(", ", Enumerable.Repeat("Busy(here)", 257));
        var (last, _) = Last(
            "Alloc(obj: 3, off: 0x0)",
            "Busy(obj: 3, off: 0x0)",
            $"KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000001000, interference: [{wakes}])"
        );
        Assert.Equal("Hang(more than 256 sleeps in one operation)", last.Result);
    }

    /// <summary>An empty range removes nothing.</summary>
    [Fact]
    public void EmptyRange_RemovesNothing()
    {
        var (last, obs) = Last(
            "Alloc(obj: 3, off: 0x0)",
            "KmPgremove(sva: 0xffff800000000000, eva: 0xffff800000000000)"
        );
        Assert.Equal(new Step("Ok"), last);
        Assert.Equal("obj 3 kernel aobj refs 1 npages 1", obs[3]);
    }
}
