using UvmDiff.Harness.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using Xunit;
using static UvmDiff.Properties.Conformance.Objects.OnTheReference;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>
/// Branches no op sequence in the standard world reaches, pinned by calling the reference directly on a
/// machine built for the case: locks and sleeps (kern_rwlock / mutex recursion, assertwaitok), swap
/// exhaustion, uvm_mk_pcluster's bail-out, range assertions, and objects without a pager.
/// </summary>
[Trait("Category", "Conformance")]
public class MachineConformance
{
    /// <summary>A uvm_object whose pgops have no pgo_get, as a device object's (uvm_device.c: udv_get is a fault routine, not pgo_get).</summary>
    private sealed class DeviceObject(int id) : UvmObject(id, new HashPageIndex())
    {
        public override long Size => 4 * K.PageSize;

        public override string Kind => "device";
    }

    private static (Uvm Uvm, AnonObject Aobj) SmallMachine(int frames, int swapSlots)
    {
        var uvm = new Uvm(frames, swapSlots);
        var aobj = uvm.Add(new AnonObject(1, new HashPageIndex(), 8, kernSwap: false));
        return (uvm, aobj);
    }

    private static VmPage FaultedDirty(Uvm uvm, AnonObject aobj, long offset)
    {
        Assert.Null(OtherThreads.FaultIn(uvm, aobj, offset, readFails: false));
        Assert.Null(OtherThreads.Dirty(uvm, aobj, offset));
        return aobj.Pages.Lookup(offset)!;
    }

    /// <summary>
    /// uvmpd_scan_inactive, dirty swap-backed page, swapcluster_allocslots failing: the page goes back to
    /// the active queue (dirtyreacts) and stays resident and dirty. Slots are handed out lowest first and
    /// a used slot is skipped.
    /// </summary>
    [Fact]
    public void PageOut_NoSwapSlotLeft_ReactivatesThePage()
    {
        var (uvm, aobj) = SmallMachine(frames: 4, swapSlots: 2);
        var first = FaultedDirty(uvm, aobj, 0x0);
        var second = FaultedDirty(uvm, aobj, 0x1000);
        var third = FaultedDirty(uvm, aobj, 0x2000);
        Assert.Null(Aobj.PageOut(uvm, aobj, first));
        Assert.Null(Aobj.PageOut(uvm, aobj, second));
        Assert.Equal("ENOSPC", Aobj.PageOut(uvm, aobj, third));
        Assert.Equal([1, 2, 0], aobj.Slots[..3].ToArray());
        Assert.True(third.Has(PgFlags.QueueActive));
        Assert.False(third.Has(PgFlags.Clean));
        Assert.Equal((2, 2, 1), (uvm.Exp.SwpgInUse, uvm.Exp.SwpgOnly, uvm.Exp.Active));

        Aobj.DropSwap(uvm, aobj, 0);
        Assert.Equal(1, uvm.Swap.Alloc());
        Assert.Equal(0, uvm.Swap.Alloc());
    }

    /// <summary>uao_get on an aobj page with no free page: uvm_wait in the kernel, so the fault is not made now.</summary>
    [Fact]
    public void FaultIn_AobjWithNoFreePage_IsEnomem()
    {
        var (uvm, aobj) = SmallMachine(frames: 1, swapSlots: 1);
        Assert.Null(OtherThreads.FaultIn(uvm, aobj, 0x0, readFails: false));
        Assert.Equal("ENOMEM", OtherThreads.FaultIn(uvm, aobj, 0x1000, readFails: false));
    }

    /// <summary>An object without pgo_get cannot be faulted through the pager or wired by uvm_obj_wire.</summary>
    [Fact]
    public void ObjectWithoutPgoGet_PanicsOnFaultAndWire()
    {
        var uvm = new Uvm(4, 1);
        var device = uvm.Add(new DeviceObject(9));
        Assert.Equal(
            "fault on an object without pgo_get",
            Assert.Throws<KernelPanic>(() => OtherThreads.FaultIn(uvm, device, 0x0, readFails: false)).Message
        );
        Assert.Equal(
            "uvm_obj_wire: object without pgo_get",
            Assert.Throws<KernelPanic>(() => ObjWire.Wire(uvm, ReferenceRoutines.Instance, device, 0x0, 0x1000)).Message
        );
    }

    /// <summary>mtx_enter on uvm.pageqlock already held by this CPU: "locking against myself".</summary>
    [Fact]
    public void PageQueueLock_TakenTwice_Panics()
    {
        var uvm = new Uvm(4, 1);
        uvm.LockPageq();
        Assert.Equal(
            "mtx_enter: locking against myself (uvm.pageqlock)",
            Assert.Throws<KernelPanic>(uvm.LockPageq).Message
        );
    }

    /// <summary>
    /// uvm_page.c 1.183's uvm_pagedequeue asserts nothing about the page-queue lock (its callers
    /// uvm_pagewire, uvm_pageunwire, uvm_pageactivate do): called without it, it just dequeues.
    /// </summary>
    [Fact]
    public void Dequeue_WithoutThePageQueueLock_JustDequeues()
    {
        var (uvm, aobj) = SmallMachine(frames: 4, swapSlots: 1);
        Assert.Null(OtherThreads.FaultIn(uvm, aobj, 0x0, readFails: false));
        var pg = aobj.Pages.Lookup(0x0)!;
        Pages.Dequeue(uvm, pg);
        Assert.False(pg.Has(PgFlags.Queued));
        Assert.Equal((0, 0), (uvm.Exp.Active, uvm.Active.Length));
    }

    /// <summary>
    /// The page layer's own assertions, each fired by the call that breaks its precondition:
    /// uvm_km_pgremove's closing KASSERT(uvmexp.swpgonly &gt;= swpgonlydelta), uvm_swap_free of a slot not in
    /// use, uvm_pagefree of a free page, uvm_pagewire / uvm_pageunwire / uvm_pagedeactivate without the
    /// page-queue lock, and uvm_pagedeactivate of a wired page.
    /// </summary>
    [Fact]
    public void PageLayerAssertions_FireOnBrokenPreconditions()
    {
        var (uvm, aobj) = SmallMachine(frames: 4, swapSlots: 2);
        Assert.Null(OtherThreads.FaultIn(uvm, aobj, 0x0, readFails: false));
        var pg = aobj.Pages.Lookup(0x0)!;
        var free = uvm.Frames.First(p => p.Has(PgFlags.QueueFree));

        string Fired(Action call) => Assert.Throws<KernelPanic>(call).Message;

        Assert.Contains(
            "uvmexp.swpgonly >= swpgonlydelta",
            Fired(() => Spec.Routines.KmPgremove.SubtractSwpgOnly(uvm, 1))
        );
        Assert.Contains("uvm_swap_free: slot in use", Fired(() => uvm.Swap.Free(2)));
        Assert.Contains("(pg->pg_flags & PQ_FREE) == 0", Fired(() => Pages.Free(uvm, free)));
        Assert.Contains("MUTEX_ASSERT_LOCKED(&uvm.pageqlock)", Fired(() => Pages.Wire(uvm, pg)));
        Assert.Contains("MUTEX_ASSERT_LOCKED(&uvm.pageqlock)", Fired(() => Pages.Unwire(uvm, pg)));
        Assert.Contains("MUTEX_ASSERT_LOCKED(&uvm.pageqlock)", Fired(() => Pages.Deactivate(uvm, pg)));
        uvm.LockPageq();
        Pages.Wire(uvm, pg);
        Assert.Contains("pg->wire_count == 0", Fired(() => Pages.Deactivate(uvm, pg)));
    }

    /// <summary>assertwaitok(): no sleeping with a mutex held.</summary>
    [Fact]
    public void Sleep_WithThePageQueueLockHeld_Panics()
    {
        var (uvm, aobj) = SmallMachine(frames: 4, swapSlots: 1);
        uvm.LockPageq();
        var point = new SleepPoint("test", aobj, 0, IsIo: true);
        Assert.Equal(
            "assertwaitok: sleeping with uvm.pageqlock held",
            Assert.Throws<KernelPanic>(() => uvm.Sleep(point)).Message
        );
    }

    /// <summary>With nobody acting during the sleep, the other thread's I/O on the page completes: uvm_page_unbusy.</summary>
    [Fact]
    public void Sleep_WithoutAHook_CompletesTheAwaitedIo()
    {
        var (uvm, aobj) = SmallMachine(frames: 4, swapSlots: 1);
        Assert.Null(OtherThreads.FaultIn(uvm, aobj, 0x0, readFails: false));
        Assert.Null(OtherThreads.Busy(uvm, aobj, 0x0));
        Assert.Equal(WakeResult.Normal, uvm.Sleep(new SleepPoint("test", aobj, 0x0, IsIo: false)));
        Assert.False(aobj.Pages.Lookup(0x0)!.Has(PgFlags.Busy));
    }

    /// <summary>
    /// uvm_mk_pcluster: a window wider than the caller's pps[] ("pps too small, bail out!") gives a
    /// cluster of the center page alone.
    /// </summary>
    [Fact]
    public void MakeCluster_WindowWiderThanPps_BailsOutWithTheCenterAlone()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (
            var line in new[]
            {
                "Alloc(obj: 2, off: 0x0)",
                "Dirty(obj: 2, off: 0x0)",
                "Alloc(obj: 2, off: 0x1000)",
                "Dirty(obj: 2, off: 0x1000)",
            }
        )
            side.Apply(ObjOpParser.Parse(line));
        var uvm = side.Machine;
        var vn = (VnodeObject)uvm.Objects[1];
        var center = vn.Pages.Lookup(0x0)!;
        var pps = new VmPage[4];
        uvm.LockPageq();
        var (first, count) = Pager.MakeCluster(uvm, vn, pps, center, PgoFlags.CleanIt, 0x0, 0x10000);
        uvm.UnlockPageq();
        Assert.Equal((0, 1), (first, count));
        Assert.Same(center, pps[0]);
    }

    /// <summary>
    /// uvm_mk_pcluster with a window starting above the center page: center_idx is negative and
    /// pps[center_idx] is a store outside the array (seed 000's posted uvn_flush); reported as a panic.
    /// </summary>
    [Fact]
    public void MakeCluster_WindowAboveTheCenter_IsAnOutOfBoundsStore()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        side.Apply(ObjOpParser.Parse("Alloc(obj: 2, off: 0x0)"));
        var uvm = side.Machine;
        var vn = (VnodeObject)uvm.Objects[1];
        var pps = new VmPage[Pager.ClusterCapacity];
        var panic = Assert.Throws<KernelPanic>(() =>
            Pager.MakeCluster(uvm, vn, pps, vn.Pages.Lookup(0x0)!, PgoFlags.CleanIt, 0x1000, 0x3000)
        );
        Assert.StartsWith("uvm_mk_pcluster: pps[-1] written outside pps[16]", panic.Message);
    }

    /// <summary>uvn_cluster asserts the offset is inside the file ("uvn_cluster: offset out of range").</summary>
    [Fact]
    public void UvnCluster_BeyondTheFile_Panics()
    {
        var vn = new VnodeObject(2, new HashPageIndex(), 0x2800);
        Assert.Equal(
            "uvn_cluster: offset out of range",
            Assert.Throws<KernelPanic>(() => Uvn.Cluster(vn, 0x3000)).Message
        );
        Assert.Equal((0x1000L, 0x3000L), Uvn.Cluster(vn, 0x1000));
    }

    /// <summary>uvn_io's size check: a write starting at or beyond u_size fails (VM_PAGER_ERROR) without I/O.</summary>
    [Fact]
    public void UvnPut_StartingBeyondTheFile_FailsWithoutSleeping()
    {
        var uvm = new Uvm(4, 1);
        var vn = uvm.Add(new VnodeObject(2, new HashPageIndex(), 0x1800));
        var beyond = Pages.Alloc(uvm, vn, 0x2000, zero: false, "test")!;
        Assert.Equal(PagerResult.Error, Uvn.Put(uvm, vn, [beyond], PgoFlags.SyncIo));
        Assert.Equal(0, uvm.SleepsThisOp);
    }

    /// <summary>uvm_km_pgremove's caller passes vm_map_min(kernel_map) &lt;= startva &lt;= endva: anything else trips the assertion.</summary>
    [Fact]
    public void KmPgremove_RangeBelowTheKernelMap_Panics()
    {
        var kobj = new AnonObject(3, new HashPageIndex(), 4, kernSwap: true);
        Assert.Contains(
            "vm_map_min(kernel_map) <= startva <= endva",
            Assert.Throws<KernelPanic>(() => Spec.Routines.KmPgremove.Offsets(kobj, 0x1000, 0x2000)).Message
        );
        Assert.Contains(
            "endva - vm_map_min(kernel_map) <= uobj size",
            Assert
                .Throws<KernelPanic>(() =>
                    Spec.Routines.KmPgremove.Offsets(
                        kobj,
                        Spec.Routines.KmPgremove.KernelMapMin,
                        Spec.Routines.KmPgremove.KernelMapMin + 0x5000
                    )
                )
                .Message
        );
    }

    /// <summary>A machine reset is a new machine: every object empty, every counter and queue back to the start.</summary>
    [Fact]
    public void Reset_ReturnsToTheMachineAsBuilt()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (
            var line in new[]
            {
                "Alloc(obj: 1, off: 0x0)",
                "Dirty(obj: 1, off: 0x0)",
                "PageOut(obj: 1, off: 0x0)",
                "Wire(obj: 2, start: 0x0, stop: 0x1000)",
            }
        )
            side.Apply(ObjOpParser.Parse(line));
        side.Reset();
        AssertObservation(
            side.Observe(),
            "uvmexp free 96 active 0 inactive 0 wired 0 swpginuse 0 swpgonly 0",
            EmptyAobj,
            EmptyVnode,
            EmptyKernel
        );
        Assert.Null(side.Machine.FindObject(4));
    }

    /// <summary>
    /// Another thread cannot free a page the routine holds BUSY: a cluster page of uvn_flush's pageout
    /// (owned by uvm_mk_pcluster) survives an attempt during the write, and is written and cleaned.
    /// </summary>
    [Fact]
    public void FreeDuringAPageout_OfAPageTheClusterHolds_IsRefused()
    {
        var (last, obs) = Last(
            "Alloc(obj: 2, off: 0x0)",
            "Dirty(obj: 2, off: 0x0)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x0, stop: 0x2000, flags: CleanIt, interference: [Free(0x1000)])"
        );
        Assert.Equal(new Step("Ok(true)", "io uvn_io 0x0"), last);
        Assert.Equal("  page 0x1000 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 2 mapped r", obs[4]);
        Assert.Contains("  file 0x1000 data 2", obs);
    }
}
