using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The whole kernel's own memory: pageable kernel memory on uvm.kernel_object (km_alloc with kv_any and
/// kp_pageable, km_free: uvm_km.c) and one drm GEM object, a uao a driver pins and unpins page by page
/// with uvm_obj_wire and uvm_obj_unwire (drm's i915_gem_object_get_pages_phys and put_pages). Both are
/// anonymous objects of the kernel's object layer, their resident pages physical pages of the kernel
/// taken from the same six, and they page out to swap.
/// </summary>
public static class KernelMemory
{
    /// <summary>Object ids after the files (1..3).</summary>
    public const int KernelObjectId = KernelFiles.Count + 1;

    public const int GemId = KernelFiles.Count + 2;

    /// <summary>The part of kernel_map that pageable allocations come from, in pages: kernel_object's size here.</summary>
    public const int Pages = 4;

    public const int GemPages = 2;

    /// <summary>Swap slots of the kernel's swap device: few, so that a full device comes up.</summary>
    public const int SwapSlots = 4;

    /// <summary>
    /// vm_map_min(kernel_map): the model takes amd64's VM_MIN_KERNEL_ADDRESS on both architectures, so one
    /// trace runs on both; only the offset into kernel_object (va - vm_map_min) matters to the objects.
    /// </summary>
    public const ulong Base = KmPgremove.KernelMapMin;

    public const ulong Bytes = (ulong)Pages << K.PageShift;

    /// <summary>Is [va, va + size) inside the kernel memory the model has? => its first page index</summary>
    public static bool Inside(ulong va, ulong size, out int first)
    {
        first = 0;
        if (va < Base || va - Base >= Bytes || size > Bytes - (va - Base))
            return false;
        first = (int)((va - Base) >> K.PageShift);
        return true;
    }
}

/// <summary>
/// uvm_pdaemon.c on one page of an anonymous object (kernel_object or the GEM uao), as the whole kernel's
/// page daemon op runs it, with the same four actions as <see cref="FileDaemon"/> on a file page. Not
/// under test, so the reference and the composed kernels share it, as they share FileDaemon.
/// => each returns null when it acted, else an errno name saying why not
/// </summary>
public static class AobjDaemon
{
    public static string? Run(Uvm uvm, AnonObject aobj, VmPage pg, DaemonAction action) =>
        action switch
        {
            DaemonAction.Deactivate => OtherThreads.Deactivate(uvm, aobj, pg.Offset),
            DaemonAction.Clean => Write(uvm, aobj, pg, inFlight: false),
            DaemonAction.Pageout => Write(uvm, aobj, pg, inFlight: true),
            _ => Free(uvm, pg),
        };

    /// <summary>
    /// uvmpd_scan_inactive writing a dirty inactive swap-backed page: pmap_page_protect(PROT_NONE) and
    /// PG_CLEAN synced with the modified bit, the page's old slot dropped (uvmpd_dropswap), a new one
    /// allocated (uvm_swap_alloc) and the contents written there (uvm_swap_put, uao_set_swslot); the page
    /// comes back CLEAN with its modified bit cleared and stays on the inactive queue for a later pass to
    /// free. With <paramref name="inFlight"/> the write is asynchronous (VM_PAGER_PEND): the page stays
    /// BUSY, owned by the I/O, until a thread waits for it (uvm_aio_aiodone unbusies it).
    /// => EINVAL for a page not on the inactive queue, EBUSY, EALREADY for a clean page; ENOSPC when
    ///    swap is full, the page reactivated
    /// </summary>
    private static string? Write(Uvm uvm, AnonObject aobj, VmPage pg, bool inFlight)
    {
        if (FileDaemon.Scannable(pg) is { } refused)
            return refused;
        if (!FileDaemon.SyncClean(uvm, pg))
            return "EALREADY";
        if (!Aobj.WriteToSwap(uvm, aobj, pg))
            return "ENOSPC";
        pg.Flags |= PgFlags.Clean;
        pg.PmapModified = false;
        if (inFlight)
        {
            pg.Flags |= PgFlags.Busy;
            pg.Owner = Owners.OtherThread;
        }
        return null;
    }

    /// <summary>
    /// uvmpd_scan_inactive freeing a clean inactive swap-backed page: the page now lives only in swap
    /// (uvmexp.swpgonly++), pmap_page_protect(PROT_NONE), uvm_pagefree.
    /// => EINVAL for a page not on the inactive queue, EBUSY, EAGAIN for a dirty page (write it first)
    /// </summary>
    private static string? Free(Uvm uvm, VmPage pg)
    {
        if (FileDaemon.Scannable(pg) is { } refused)
            return refused;
        if (FileDaemon.SyncClean(uvm, pg))
            return "EAGAIN";
        uvm.Exp.SwpgOnly++;
        Pages.Pages.Free(uvm, pg);
        return null;
    }
}

public partial interface IKernelFactSink
{
    /// <summary>A page of kernel_map's pageable part that km_alloc handed out and km_free has not taken back.</summary>
    void KernelAllocated(int index) { }

    /// <summary>
    /// A resident page of an anonymous object (kernel_object or the GEM uao): its physical page, PG_CLEAN,
    /// queue, contents and wire count, and whether pmap_kernel maps it (with its modified bit).
    /// => in increasing (object, offset) order
    /// </summary>
    void AobjPage(
        int obj,
        long offset,
        int page,
        bool clean,
        QueueKind queue,
        long data,
        int wired,
        bool mapped,
        bool modified
    ) { }

    /// <summary>A swap slot an anonymous object holds: SWSLOT_BAD or a real slot, and what it holds. => in (object, index) order</summary>
    void SwapSlot(int obj, int index, bool bad, long data) { }

    /// <summary>uvmexp.swpginuse and uvmexp.swpgonly, when either is not 0.</summary>
    void Swap(int inUse, int only) { }
}

public partial interface IKernelMachine
{
    /// <summary>
    /// km_alloc(size, &amp;kv_any, &amp;kp_pageable, &amp;kd_waitok) by a kernel thread: uvm_map of kernel_object at
    /// the first fit of kernel_map (offset va - vm_map_min), no page allocated or mapped.
    /// => <paramref name="va"/> the address; ENOMEM when nothing fits (km_alloc returns NULL)
    /// </summary>
    string? Kmalloc(ulong size, out ulong va);

    /// <summary>km_free(va, size, &amp;kv_any, &amp;kp_pageable): pmap_remove(pmap_kernel()), then uvm_unmap → uvm_km_pgremove.</summary>
    string? Kfree(ulong va, ulong size);

    /// <summary>
    /// A kernel thread's copyin into (write) or copyout from (read) pageable kernel memory at
    /// <paramref name="va"/>; with <paramref name="swapError"/> the swap device fails a read the fault makes.
    /// => the page reached in <paramref name="page"/>
    /// </summary>
    string? KernelAccess(ulong va, bool write, bool swapError, out int page);

    /// <summary>The driver pins one page of the GEM object: uvm_obj_wire(uao, offset, offset + PAGE_SIZE).</summary>
    string? GemPin(long offset);

    /// <summary>The driver unpins [offset, offset + size) of the GEM object: uvm_obj_unwire.</summary>
    string? GemUnpin(long offset, long size);
}
