using UvmDiff.Spec.Concurrency;
using Xunit;

namespace UvmDiff.Properties.Conformance.Concurrency;

/// <summary>
/// Hand-derived cases for the concurrency layer's reference (Spec/Concurrency), each citing the kernel
/// routine and branch it follows (uvm_page.c 1.183, uvm_anon.c 1.64, uvm_aobj.c 1.116, uvm_km.c 1.157,
/// uvm_fault.c 1.171, uvm_pdaemon.c). Expected results and worlds are written out by hand.
/// </summary>
[Trait("Category", "Conformance")]
public class ConcurrencyReferenceConformance
{
    private static SlotWorld World(params OwnerKind[] kinds) => new(kinds);

    private static void AssertWorld(SlotWorld world, params string[] expected)
    {
        Assert.Equal(expected, SlotWorldView.Render(world));
        Assert.Null(SlotWorldView.Check(world));
    }

    /// <summary>uvm_anfree_list, resident page not busy: pmap_page_protect(PROT_NONE), then uvm_pagefree, which dequeues it.</summary>
    [Fact]
    public void AnFree_ActiveMappedPage_IsUnmappedDequeuedAndFreed()
    {
        var world = World(OwnerKind.Anon);
        world.Place(0, QueueName.Active, 0, mapped: true);
        Assert.Equal("freed", OwnerFree.AnFree(world, 0));
        AssertWorld(world, "slot 0 anon: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=9");
    }

    /// <summary>uvm_anfree_list with a list: uvm_pageclean now, uvm_pglistfree later; the wired count drops with the clean.</summary>
    [Fact]
    public void AnFreeList_WiredInactivePageOfTwo_LeavesTheOtherQueued()
    {
        var world = World(OwnerKind.Anon, OwnerKind.Anon);
        world.Place(0, QueueName.None, 2, mapped: true);
        world.Place(1, QueueName.Inactive, 0, mapped: true);
        Assert.Equal("freed", OwnerFree.AnFreeList(world, 0));
        AssertWorld(
            world,
            "slot 0 anon: none",
            "slot 1 anon: inactive wire=0 mapped",
            "active:",
            "inactive: 1",
            "uvmexp: active=0 inactive=1 wired=0 free=9"
        );
    }

    /// <summary>uvm_anfree_list, an_page == NULL: nothing to free.</summary>
    [Fact]
    public void AnFree_EmptySlot_ReturnsNoneAndChangesNothing()
    {
        var world = World(OwnerKind.Anon);
        Assert.Equal("none", OwnerFree.AnFree(world, 0));
        AssertWorld(world, "slot 0 anon: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=8");
    }

    /// <summary>uao_flush (uvm_aobj.c): uvm_pagelookup finds no page at the offset, so the loop goes on to the next.</summary>
    [Fact]
    public void UaoFlushFree_EmptySlot_ReturnsNoneAndChangesNothing()
    {
        var world = World(OwnerKind.Aobj);
        Assert.Equal("none", OwnerFree.UaoFlushFree(world, 0));
        AssertWorld(world, "slot 0 aobj: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=8");
    }

    /// <summary>uvm_km_pgremove (uvm_km.c): no resident page at the offset; only its swap slot would be dropped, and there is none.</summary>
    [Fact]
    public void KmPgremove_EmptySlot_ReturnsNoneAndChangesNothing()
    {
        var world = World(OwnerKind.Kmem);
        Assert.Equal("none", OwnerFree.KmPgremove(world, 0));
        AssertWorld(world, "slot 0 kmem: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=8");
    }

    /// <summary>uvm_pagewire and uvm_pageunwire are reached only through a page their caller found: an empty slot reaches neither.</summary>
    [Fact]
    public void WireAndUnwire_EmptySlot_ReturnNoneAndChangeNothing()
    {
        var world = World(OwnerKind.Anon);
        Assert.Equal("none", PageWire.Wire(world, 0));
        Assert.Equal("none", PageWire.Unwire(world, 0));
        AssertWorld(world, "slot 0 anon: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=8");
    }

    /// <summary>uvm_anon_release: pmap_page_protect(PROT_NONE) and uvm_pagefree of a wired page; uvm_pageclean drops uvmexp.wired.</summary>
    [Fact]
    public void AnonRelease_WiredPage_FreesItAndUncountsTheWiring()
    {
        var world = World(OwnerKind.Anon);
        world.Place(0, QueueName.None, 1, mapped: true);
        Assert.Equal("freed", OwnerFree.AnonRelease(world, 0));
        AssertWorld(world, "slot 0 anon: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=9");
    }

    /// <summary>uao_flush, PGO_FREE, refs == 1: "if (pg->wire_count != 0) continue" — wired pages are skipped.</summary>
    [Fact]
    public void UaoFlushFree_WiredPage_IsSkipped()
    {
        var world = World(OwnerKind.Aobj);
        world.Place(0, QueueName.None, 1, mapped: true);
        Assert.Equal("skipped-wired", OwnerFree.UaoFlushFree(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: none wire=1 mapped",
            "active:",
            "inactive:",
            "uvmexp: active=0 inactive=0 wired=1 free=8"
        );
    }

    /// <summary>uao_flush, PGO_FREE: pmap_page_protect(PROT_NONE), uao_dropswap, uvm_pagefree of an inactive page.</summary>
    [Fact]
    public void UaoFlushFree_InactivePage_IsFreed()
    {
        var world = World(OwnerKind.Aobj, OwnerKind.Aobj);
        world.Place(0, QueueName.Inactive, 0, mapped: true);
        world.Place(1, QueueName.Inactive, 0, mapped: false);
        Assert.Equal("freed", OwnerFree.UaoFlushFree(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: none",
            "slot 1 aobj: inactive wire=0 unmapped",
            "active:",
            "inactive: 1",
            "uvmexp: active=0 inactive=1 wired=0 free=9"
        );
    }

    /// <summary>uvm_km_pgremove: the page is freed whether wired or not; uvm_pageclean's "if (pg->wire_count)" branch drops uvmexp.wired.</summary>
    [Fact]
    public void KmPgremove_WiredKernelPage_IsFreedAndWiredDrops()
    {
        var world = World(OwnerKind.Kmem);
        world.Place(0, QueueName.None, 1, mapped: false);
        Assert.Equal("freed", OwnerFree.KmPgremove(world, 0));
        AssertWorld(world, "slot 0 kmem: none", "active:", "inactive:", "uvmexp: active=0 inactive=0 wired=0 free=9");
    }

    /// <summary>uvm_pagewire: the 0 -> 1 transition dequeues and counts; the 1 -> 2 transition only bumps wire_count.</summary>
    [Fact]
    public void Wire_Twice_DequeuesOnceAndCountsOnePage()
    {
        var world = World(OwnerKind.Anon);
        world.Place(0, QueueName.Active, 0, mapped: true);
        Assert.Equal("wired", PageWire.Wire(world, 0));
        Assert.Equal("wired", PageWire.Wire(world, 0));
        AssertWorld(
            world,
            "slot 0 anon: none wire=2 mapped",
            "active:",
            "inactive:",
            "uvmexp: active=0 inactive=0 wired=1 free=8"
        );
    }

    /// <summary>uvm_pageunwire: wire_count-- ; only at 0 does uvm_pageactivate put it on the active tail and uvmexp.wired drop.</summary>
    [Fact]
    public void Unwire_FromTwo_ActivatesOnlyAtZero()
    {
        var world = World(OwnerKind.Aobj, OwnerKind.Aobj);
        world.Place(0, QueueName.None, 2, mapped: false);
        world.Place(1, QueueName.Active, 0, mapped: false);
        Assert.Equal("unwired", PageWire.Unwire(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: none wire=1 unmapped",
            "slot 1 aobj: active wire=0 unmapped",
            "active: 1",
            "inactive:",
            "uvmexp: active=1 inactive=0 wired=1 free=8"
        );
        Assert.Equal("unwired", PageWire.Unwire(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: active wire=0 unmapped",
            "slot 1 aobj: active wire=0 unmapped",
            "active: 1 0",
            "inactive:",
            "uvmexp: active=2 inactive=0 wired=0 free=8"
        );
    }

    /// <summary>uvm_fault_unwire reaches only wired pages: an unwired page is reported, not underflowed.</summary>
    [Fact]
    public void Unwire_UnwiredPage_IsReportedAndLeftAlone()
    {
        var world = World(OwnerKind.Anon);
        world.Place(0, QueueName.Inactive, 0, mapped: false);
        Assert.Equal("not-wired", PageWire.Unwire(world, 0));
        AssertWorld(
            world,
            "slot 0 anon: inactive wire=0 unmapped",
            "active:",
            "inactive: 0",
            "uvmexp: active=0 inactive=1 wired=0 free=8"
        );
    }

    /// <summary>uvm_fault_upper with a resident anon page: pmap_enter, then uvm_pageactivate moves it from inactive to the active tail.</summary>
    [Fact]
    public void Fault_ResidentInactivePage_IsMappedAndActivatedAtTheTail()
    {
        var world = World(OwnerKind.Anon, OwnerKind.Anon);
        world.Place(0, QueueName.Inactive, 0, mapped: false);
        world.Place(1, QueueName.Active, 0, mapped: true);
        Assert.Equal("resident", FaultIn.Fault(world, 0));
        AssertWorld(
            world,
            "slot 0 anon: active wire=0 mapped",
            "slot 1 anon: active wire=0 mapped",
            "active: 1 0",
            "inactive:",
            "uvmexp: active=2 inactive=0 wired=0 free=8"
        );
    }

    /// <summary>uvm_fault_lower on an aobj offset without a page: uvm_pagealloc (free goes down), pmap_enter, activate.</summary>
    [Fact]
    public void Fault_EmptySlot_AllocatesAFreshActiveMappedPage()
    {
        var world = World(OwnerKind.Aobj);
        Assert.Equal("fresh", FaultIn.Fault(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: active wire=0 mapped",
            "active: 0",
            "inactive:",
            "uvmexp: active=1 inactive=0 wired=0 free=7"
        );
    }

    /// <summary>uvm_pageactivate of a wired page: dequeued, not put on the active queue.</summary>
    [Fact]
    public void Fault_WiredPage_IsMappedButStaysOffTheQueues()
    {
        var world = World(OwnerKind.Aobj);
        world.Place(0, QueueName.None, 1, mapped: false);
        Assert.Equal("resident", FaultIn.Fault(world, 0));
        AssertWorld(
            world,
            "slot 0 aobj: none wire=1 mapped",
            "active:",
            "inactive:",
            "uvmexp: active=0 inactive=0 wired=1 free=8"
        );
    }

    /// <summary>Kernel-object pages are not reached by uvm_fault: the reference reports "none".</summary>
    [Fact]
    public void Fault_KernelObjectSlot_DoesNothing()
    {
        var world = World(OwnerKind.Kmem);
        world.Place(0, QueueName.None, 1, mapped: false);
        Assert.Equal("none", FaultIn.Fault(world, 0));
        AssertWorld(
            world,
            "slot 0 kmem: none wire=1 unmapped",
            "active:",
            "inactive:",
            "uvmexp: active=0 inactive=0 wired=1 free=8"
        );
    }

    /// <summary>uvmpd_scan_active -> uvm_pagedeactivate: pmap_page_protect(PROT_NONE), active queue to the inactive tail.</summary>
    [Fact]
    public void Deactivate_ActiveMappedPage_IsUnmappedAndMovedToTheInactiveTail()
    {
        var world = World(OwnerKind.Anon, OwnerKind.Aobj);
        world.Place(0, QueueName.Active, 0, mapped: true);
        world.Place(1, QueueName.Inactive, 0, mapped: false);
        Assert.Equal("deactivated", PageDaemon.Deactivate(world, 0));
        AssertWorld(
            world,
            "slot 0 anon: inactive wire=0 unmapped",
            "slot 1 aobj: inactive wire=0 unmapped",
            "active:",
            "inactive: 1 0",
            "uvmexp: active=0 inactive=2 wired=0 free=8"
        );
    }

    /// <summary>uvmpd_scan_active walks the active queue only: inactive and wired pages are not its business.</summary>
    [Fact]
    public void Deactivate_InactiveOrWiredPage_IsSkipped()
    {
        var world = World(OwnerKind.Anon, OwnerKind.Anon);
        world.Place(0, QueueName.Inactive, 0, mapped: true);
        world.Place(1, QueueName.None, 1, mapped: true);
        Assert.Equal("skipped", PageDaemon.Deactivate(world, 0));
        Assert.Equal("skipped", PageDaemon.Deactivate(world, 1));
        AssertWorld(
            world,
            "slot 0 anon: inactive wire=0 mapped",
            "slot 1 anon: none wire=1 mapped",
            "active:",
            "inactive: 0",
            "uvmexp: active=0 inactive=1 wired=1 free=8"
        );
    }

    /// <summary>uvmpd_scan_inactive freeing a clean page: pmap_page_protect(PROT_NONE), uvm_pagedequeue, uvm_pagefree.</summary>
    [Fact]
    public void DaemonFree_InactivePage_IsFreed_ActivePageIsSkipped()
    {
        var world = World(OwnerKind.Aobj, OwnerKind.Anon);
        world.Place(0, QueueName.Inactive, 0, mapped: true);
        world.Place(1, QueueName.Active, 0, mapped: false);
        Assert.Equal("freed", PageDaemon.Free(world, 0));
        Assert.Equal("skipped", PageDaemon.Free(world, 1));
        AssertWorld(
            world,
            "slot 0 aobj: none",
            "slot 1 anon: active wire=0 unmapped",
            "active: 1",
            "inactive:",
            "uvmexp: active=1 inactive=0 wired=0 free=9"
        );
    }

    /// <summary>uvm-semantics.md §1 invariants: a queue counter that disagrees with its queue is reported.</summary>
    [Fact]
    public void Check_CounterDisagreeingWithQueue_IsReported()
    {
        var world = World(OwnerKind.Anon);
        world.Place(0, QueueName.Active, 0, mapped: false);
        world.Active = 2;
        Assert.Equal("uvmexp.active 2 != active queue length 1", SlotWorldView.Check(world));
        world.Active = 1;
        world.Wired = 1;
        Assert.Equal("uvmexp.wired 1 != wired pages 0", SlotWorldView.Check(world));
    }

    /// <summary>uvm-semantics.md §1: a page sits on the queue its flag names, and a wired page on none.</summary>
    [Fact]
    public void Check_QueueFlagOrWiredPageOnAQueue_IsReported()
    {
        var world = World(OwnerKind.Aobj, OwnerKind.Aobj);
        world.Place(0, QueueName.Inactive, 0, mapped: false);
        world.Inactive = 0;
        Assert.Equal("uvmexp.inactive 0 != inactive queue length 1", SlotWorldView.Check(world));
        world.Inactive = 1;
        world.Slots[0]!.Queue = QueueName.Active;
        Assert.Equal("slot 0: queue flag Active disagrees with the queues", SlotWorldView.Check(world));
        world.Slots[0]!.Queue = QueueName.Inactive;
        world.Slots[0]!.WireCount = 1;
        world.Wired = 1;
        Assert.Equal("slot 0: wired page on the Inactive queue", SlotWorldView.Check(world));
    }

    /// <summary>uvm_pagefree of a page that is still mapped breaks "assumes all valid mappings of pg are gone": a panic.</summary>
    [Fact]
    public void PageFree_MappedPage_Panics()
    {
        var world = World(OwnerKind.Aobj);
        world.Place(0, QueueName.Active, 0, mapped: true);
        var panic = Assert.Throws<Spec.Kernel.KernelPanic>(() => PageFree.Free(world, 0));
        Assert.Contains("no valid mappings of pg", panic.Message);
    }
}
