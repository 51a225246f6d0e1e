using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Implementations.Kernel;

/// <summary>
/// The composed kernel's own memory: kernel_object and the GEM uao over the object layer's implementation
/// (red-black page trees, seed 000's range-iterating uvm_km_pgremove and uvm_obj_unwire, with their faults).
/// kernel_map's pageable part is a bitmap of pages handed out; pmap_kernel's translation of a page is the
/// page's own mapping and modified bit, as on the reference.
/// </summary>
public sealed partial class ComposedKernel
{
    private AnonObject _kernelObject = null!;
    private AnonObject _gem = null!;
    private uint _kmemAllocated;
    private readonly int[] _gemPins = new int[KernelMemory.GemPages];

    private void CreateKernelMemory()
    {
        _kernelObject = _uvm.Add(
            new AnonObject(KernelMemory.KernelObjectId, _routines.NewPageIndex(), KernelMemory.Pages, kernSwap: true)
        );
        _gem = _uvm.Add(
            new AnonObject(KernelMemory.GemId, _routines.NewPageIndex(), KernelMemory.GemPages, kernSwap: false)
        );
    }

    private void ResetKernelMemory()
    {
        _kmemAllocated = 0;
        Array.Clear(_gemPins);
    }

    private static uint RunMask(int first, int pages) => (uint)(((1UL << pages) - 1) << first);

    /// <summary>km_alloc(kv_any, kp_pageable): the first fit of kernel_map, no pages.</summary>
    public string? Kmalloc(ulong size, out ulong va)
    {
        va = 0;
        ulong pages = size >> K.PageShift;
        if (pages > KernelMemory.Pages)
            return "ENOMEM";
        for (int first = 0; first + (int)pages <= KernelMemory.Pages; first++)
        {
            uint run = RunMask(first, (int)pages);
            if ((_kmemAllocated & run) != 0)
                continue;
            _kmemAllocated |= run;
            va = KernelMemory.Base + ((ulong)first << K.PageShift);
            return null;
        }
        return "ENOMEM";
    }

    /// <summary>km_free(kp_pageable): pmap_remove(pmap_kernel()), uvm_unmap → uvm_km_pgremove.</summary>
    public string? Kfree(ulong va, ulong size)
    {
        if (!KernelMemory.Inside(va, size, out int first))
            return "EINVAL";
        uint run = RunMask(first, (int)(size >> K.PageShift));
        if ((_kmemAllocated & run) != run)
            return "EINVAL";
        var tree = (Objects.RbPageTree)_kernelObject.Pages;
        long end = (long)(va + size - KernelMemory.Base);
        for (var pg = tree.NFind((long)first << K.PageShift); pg is not null && pg.Offset < end; pg = tree.Next(pg))
            pg.Mapping = PmapMapping.None;
        int resident = tree.Count;
        _uvm.BeginOperation();
        _routines.KmPgremove(_uvm, _kernelObject, va, va + size);
        _freed += resident - tree.Count;
        _kmemAllocated &= ~run;
        return null;
    }

    /// <summary>copyin/copyout on pageable kernel memory: a hit through pmap_kernel, or uvm_fault(kernel_map) → uao_get.</summary>
    public string? KernelAccess(ulong va, bool write, bool swapError, out int page)
    {
        page = NoPage;
        if (!KernelMemory.Inside(va, 1, out int index) || (_kmemAllocated & (1u << index)) == 0)
            return "EFAULT";
        long offset = (long)index << K.PageShift;
        var pg = _kernelObject.Pages.Lookup(offset);
        if (pg is null || pg.Mapping == PmapMapping.None)
        {
            _faults++;
            if (pg is null)
            {
                int free = FreePage();
                if (free < 0)
                    return KernelWorld.OutOfPages;
                _uvm.BeginOperation();
                _uvm.PutOnTop(_uvm.Frames[free]);
                pg = Aobj.Get(_uvm, _kernelObject, offset, swapError, "uvm_fault", out _);
                _pmap.PageAllocated(free);
                _allocated++;
                if (pg is null)
                {
                    _freed++;
                    return "EFAULT";
                }
                Spec.Pages.Pages.Unbusy(_uvm, pg);
            }
            FileDaemon.WaitForIo(_uvm, pg);
            _uvm.LockPageq();
            Spec.Pages.Pages.Activate(_uvm, pg);
            _uvm.UnlockPageq();
            pg.Mapping = PmapMapping.Write;
        }
        if (write)
        {
            pg.PmapModified = true;
            pg.Data = ++_uvm.WriteCounter;
        }
        page = pg.Frame;
        return null;
    }

    /// <summary>The driver's uvm_obj_wire of one GEM page, its pin counted.</summary>
    public string? GemPin(long offset)
    {
        int free = NoPage;
        if (_gem.Pages.Lookup(offset) is null)
        {
            free = FreePage();
            if (free < 0)
                return KernelWorld.OutOfPages;
            _uvm.PutOnTop(_uvm.Frames[free]);
        }
        _uvm.BeginOperation();
        string? error = ObjWire.Wire(_uvm, _routines, _gem, offset, offset + K.PageSize);
        K.Kassert(error is null, "uvm_obj_wire of the GEM object: its swap reads never fail");
        if (free != NoPage)
        {
            _pmap.PageAllocated(free);
            _allocated++;
        }
        _gemPins[offset >> K.PageShift]++;
        return null;
    }

    /// <summary>The driver's uvm_obj_unwire; EINVAL for a resident page it holds no pin on (its wire count would wrap).</summary>
    public string? GemUnpin(long offset, long size)
    {
        long end = offset + size;
        if (end > _gem.Size)
            return "EINVAL";
        for (long off = offset; off < end; off += K.PageSize)
        {
            if (_gemPins[off >> K.PageShift] == 0 && _gem.Pages.Lookup(off) is not null)
                return "EINVAL";
        }
        _uvm.BeginOperation();
        _routines.ObjUnwire(_uvm, _gem, offset, end);
        for (long off = offset; off < end; off += K.PageSize)
            _gemPins[off >> K.PageShift]--;
        return null;
    }

    private string? AobjPageDaemon(AnonObject aobj, VmPage pg, DaemonAction action)
    {
        _uvm.BeginOperation();
        string? error = AobjDaemon.Run(_uvm, aobj, pg, action);
        if (error is null && pg.Object is null)
            _freed++;
        return error;
    }

    private void WalkKernelMemory(IKernelFactSink sink)
    {
        for (int i = 0; i < KernelMemory.Pages; i++)
        {
            if ((_kmemAllocated & (1u << i)) != 0)
                sink.KernelAllocated(i);
        }
        if (sink.WantsFiles)
            WalkAnonObjects(sink);
        if (_uvm.Exp.SwpgInUse != 0 || _uvm.Exp.SwpgOnly != 0)
            sink.Swap(_uvm.Exp.SwpgInUse, _uvm.Exp.SwpgOnly);
    }

    /// <summary>kernel_object's and the GEM object's resident pages, then their swap slots.</summary>
    private void WalkAnonObjects(IKernelFactSink sink)
    {
        WalkAobjPages(sink, _kernelObject);
        WalkAobjPages(sink, _gem);
        WalkSlots(sink, _kernelObject);
        WalkSlots(sink, _gem);
    }

    private static void WalkAobjPages(IKernelFactSink sink, AnonObject aobj)
    {
        var tree = (Objects.RbPageTree)aobj.Pages;
        for (var pg = tree.NFind(0); pg is not null; pg = tree.Next(pg))
        {
            var queue =
                pg.Has(PgFlags.QueueActive) ? QueueKind.Active
                : pg.Has(PgFlags.QueueInactive) ? QueueKind.Inactive
                : QueueKind.None;
            sink.AobjPage(
                aobj.Id,
                pg.Offset,
                pg.Frame,
                pg.Has(PgFlags.Clean),
                queue,
                pg.Data,
                (int)pg.WireCount,
                pg.Mapping != PmapMapping.None,
                pg.PmapModified
            );
        }
    }

    private static void WalkSlots(IKernelFactSink sink, AnonObject aobj)
    {
        var slots = aobj.Slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i] != 0)
                sink.SwapSlot(aobj.Id, i, slots[i] == SwapSpace.SlotBad, aobj.SlotData[i]);
        }
    }
}
