using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The reference kernel's own memory (<see cref="KernelMemory"/>): pageable kernel memory on kernel_object
/// and the GEM object, over the reference object layer (hash index, the per-offset uvm_km_pgremove and
/// uvm_obj_unwire of <see cref="ReferenceRoutines"/>). pmap_kernel is not the pmap layer's machine, whose
/// pmaps are the processes': a kernel page's translation is its <see cref="VmPage.Mapping"/> and its
/// modified bit <see cref="VmPage.PmapModified"/>, which the object layer's primitives keep (uvm_pagedeactivate
/// removes the mapping and syncs PG_CLEAN, uvm_pagefree drops it).
/// </summary>
public sealed partial class ReferenceKernel
{
    private AnonObject _kernelObject = null!;
    private AnonObject _gem = null!;

    /// <summary>kernel_object and the GEM object, in observation order.</summary>
    private AnonObject[] _anonObjects = [];

    /// <summary>Which pages of kernel_map's pageable part km_alloc handed out.</summary>
    private readonly bool[] _kmemAllocated = new bool[KernelMemory.Pages];

    /// <summary>The driver's pins of each GEM page: how often it wired the page and did not unwire it yet.</summary>
    private readonly int[] _gemPins = new int[KernelMemory.GemPages];

    private void CreateKernelMemory()
    {
        _kernelObject = _uvm.Add(
            new AnonObject(KernelMemory.KernelObjectId, new HashPageIndex(), KernelMemory.Pages, kernSwap: true)
        );
        _gem = _uvm.Add(
            new AnonObject(KernelMemory.GemId, new HashPageIndex(), KernelMemory.GemPages, kernSwap: false)
        );
        _anonObjects = [_kernelObject, _gem];
    }

    private void ResetKernelMemory()
    {
        Array.Clear(_kmemAllocated);
        Array.Clear(_gemPins);
    }

    /// <summary>
    /// km_alloc with kp_pageable: uvm_map(kernel_map, &amp;va, size, kernel_object, UVM_UNKNOWN_OFFSET) at the
    /// first fit from vm_map_min(kernel_map); kp_pageable allocates no page (its page list stays empty, so
    /// nothing is entered). => ENOMEM when no run of free pages is long enough (kv_any does not wait)
    /// </summary>
    public string? Kmalloc(ulong size, out ulong va)
    {
        va = 0;
        int pages = (int)(size >> K.PageShift);
        for (int first = 0; first + pages <= KernelMemory.Pages; first++)
        {
            bool fits = true;
            for (int i = first; i < first + pages; i++)
                fits &= !_kmemAllocated[i];
            if (!fits)
                continue;
            for (int i = first; i < first + pages; i++)
                _kmemAllocated[i] = true;
            va = KernelMemory.Base + ((ulong)first << K.PageShift);
            return null;
        }
        return "ENOMEM";
    }

    /// <summary>
    /// km_free with kp_pageable: pmap_remove(pmap_kernel(), sva, eva), then uvm_unmap, whose removal of
    /// kernel_object's entry runs uvm_km_pgremove over it (the pages freed, their swap slots dropped).
    /// => EINVAL unless every page of the range is one km_alloc handed out: the model refuses to free
    ///    what was not allocated, which the kernel would not notice
    /// </summary>
    public string? Kfree(ulong va, ulong size)
    {
        if (!KernelMemory.Inside(va, size, out int first))
            return "EINVAL";
        int pages = (int)(size >> K.PageShift);
        for (int i = first; i < first + pages; i++)
        {
            if (!_kmemAllocated[i])
                return "EINVAL";
        }
        for (int i = first; i < first + pages; i++)
        {
            if (Pages.Pages.Lookup(_kernelObject, (long)i << K.PageShift) is { } mapped)
                mapped.Mapping = PmapMapping.None;
        }
        int resident = _kernelObject.Pages.Count;
        _uvm.BeginOperation();
        ReferenceRoutines.Instance.KmPgremove(_uvm, _kernelObject, va, va + size);
        _freed += resident - _kernelObject.Pages.Count;
        for (int i = first; i < first + pages; i++)
            _kmemAllocated[i] = false;
        return null;
    }

    /// <summary>
    /// copyin to / copyout from pageable kernel memory: the MMU through pmap_kernel; a miss traps into
    /// uvm_fault(kernel_map), whose uvm_fault_lower gets kernel_object's page (uao_get: zero fill, or the
    /// swap read, which <paramref name="swapError"/> makes fail), enters it with the entry's PROT_READ|PROT_WRITE
    /// and activates it: a kernel page is mapped writable or not at all. A page under the page daemon's
    /// pageout is waited for (uvm_pagewait: the I/O completes). A store sets the modified bit and puts a
    /// new content word in the page.
    /// => EFAULT for an address km_alloc did not hand out, and when the swap read fails: copyin's
    ///    pcb_onfault turns the fault's EIO into EFAULT. uao_get then left the slot SWSLOT_BAD
    ///    (uvm_swap_markbad keeps it allocated) and freed the page
    /// => no free page: the fault waits for memory (<see cref="KernelWorld.OutOfPages"/>)
    /// </summary>
    public string? KernelAccess(ulong va, bool write, bool swapError, out int page)
    {
        page = -1;
        if (!KernelMemory.Inside(va, 1, out int index) || !_kmemAllocated[index])
            return "EFAULT";
        long offset = (long)index << K.PageShift;
        var pg = Pages.Pages.Lookup(_kernelObject, offset);
        if (pg is null || pg.Mapping == PmapMapping.None)
        {
            _faults++;
            if (pg is null)
            {
                int free = AllocatePage();
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
                Pages.Pages.Unbusy(_uvm, pg);
            }
            FileDaemon.WaitForIo(_uvm, pg);
            _uvm.LockPageq();
            Pages.Pages.Activate(_uvm, pg);
            _uvm.UnlockPageq();
            pg.Mapping = PmapMapping.Write;
        }
        if (write)
        {
            pg!.PmapModified = true;
            pg.Data = ++_uvm.WriteCounter;
        }
        page = pg!.Frame;
        return null;
    }

    /// <summary>
    /// i915_gem_object_get_pages_phys for one page: uvm_obj_wire(uao, offset, offset + PAGE_SIZE), which
    /// reads the page in (a new page the lowest free one) and wires it. The driver counts its pin.
    /// => <paramref name="offset"/> is a page of the object (the op's syntax); no free page: the wait for memory
    /// </summary>
    public string? GemPin(long offset)
    {
        int free = -1;
        if (Pages.Pages.Lookup(_gem, offset) is null)
        {
            free = AllocatePage();
            if (free < 0)
                return KernelWorld.OutOfPages;
            _uvm.PutOnTop(_uvm.Frames[free]);
        }
        _uvm.BeginOperation();
        string? error = ObjWire.Wire(_uvm, ReferenceRoutines.Instance, _gem, offset, offset + K.PageSize);
        if (free >= 0)
        {
            _pmap.PageAllocated(free);
            _allocated++;
        }
        K.Kassert(error is null, "uvm_obj_wire of the GEM object: nothing makes its swap reads fail");
        _gemPins[offset >> K.PageShift]++;
        return null;
    }

    /// <summary>
    /// The driver's uvm_obj_unwire(uao, offset, offset + size), as put_pages runs it over what it pinned.
    /// A driver that unpins a page it never pinned is what uvm_obj_unwire's KASSERT(pg != NULL) catches
    /// when nothing brought the page in: the op lets such holes through.
    /// => a page-aligned offset inside the object and whole pages (the op's syntax)
    /// => EINVAL past the object's end, and for a resident page the driver holds no pin on: uvm_pageunwire
    ///    would wrap its wire count (the kernel has no check), which the model does not follow
    /// </summary>
    public string? GemUnpin(long offset, long size)
    {
        if (offset + size > _gem.Size)
            return "EINVAL";
        for (long off = offset; off < offset + size; off += K.PageSize)
        {
            if (Pages.Pages.Lookup(_gem, off) is not null && _gemPins[off >> K.PageShift] == 0)
                return "EINVAL";
        }
        _uvm.BeginOperation();
        ReferenceRoutines.Instance.ObjUnwire(_uvm, _gem, offset, offset + size);
        for (long off = offset; off < offset + size; off += K.PageSize)
            _gemPins[off >> K.PageShift]--;
        return null;
    }

    /// <summary>The page daemon on a page of kernel_object or the GEM object (<see cref="AobjDaemon"/>).</summary>
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
            if (_kmemAllocated[i])
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
        var pages = _walkedPages;
        foreach (var aobj in _anonObjects)
        {
            pages.Clear();
            aobj.Pages.CollectInOrder(pages);
            foreach (var pg in pages)
            {
                sink.AobjPage(
                    aobj.Id,
                    pg.Offset,
                    pg.Frame,
                    pg.Has(PgFlags.Clean),
                    QueueOf(pg),
                    pg.Data,
                    (int)pg.WireCount,
                    pg.Mapping != PmapMapping.None,
                    pg.PmapModified
                );
            }
        }
        foreach (var aobj in _anonObjects)
        {
            for (int i = 0; i < aobj.SizePages; i++)
            {
                if (aobj.Slots[i] != 0)
                    sink.SwapSlot(aobj.Id, i, aobj.Slots[i] == SwapSpace.SlotBad, aobj.SlotData[i]);
            }
        }
    }
}
