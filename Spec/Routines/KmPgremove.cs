using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Routines;

/// <summary>uvm_km.c: uvm_km_pgremove, as before seed 000's diff: every offset of the range.</summary>
public static class KmPgremove
{
    /// <summary>vm_map_min(kernel_map) on amd64 (VM_MIN_KERNEL_ADDRESS).</summary>
    public const ulong KernelMapMin = 0xffff_8000_0000_0000;

    /// <summary>
    /// Remove the kernel object's pages and swap slots behind [startVa, endVa).
    /// => object offsets are virtual addresses minus the kernel map's start
    /// => every offset's swap slot is dropped, resident or not; a slot without a resident page was
    ///    the only copy, so swpgonly drops by one for each (SWSLOT_BAD included: any nonzero slot)
    /// => a busy page is waited for and the same offset is tried again
    /// </summary>
    public static void Run(Uvm uvm, AnonObject kobj, ulong startVa, ulong endVa)
    {
        var (start, end) = Offsets(kobj, startVa, endVa);
        PmapRemoveKernel(uvm);
        int swpgonlyDelta = 0;
        for (long curoff = start; curoff < end; curoff += K.PageSize)
        {
            var pp = Pages.Pages.Lookup(kobj, curoff);
            if (pp is not null && pp.Has(PgFlags.Busy))
            {
                Pages.Pages.Wait(uvm, pp, "km_pgrm");
                curoff -= K.PageSize;
                continue;
            }
            int slot = Aobj.DropSwap(uvm, kobj, (int)(curoff >> K.PageShift));
            if (pp is not null)
                Pages.Pages.Free(uvm, pp);
            else if (slot != 0)
                swpgonlyDelta++;
        }
        SubtractSwpgOnly(uvm, swpgonlyDelta);
    }

    /// <summary>The object offsets behind a kernel VA range. => the range lies inside the object</summary>
    public static (long Start, long End) Offsets(AnonObject kobj, ulong startVa, ulong endVa)
    {
        K.Kassert(startVa >= KernelMapMin && startVa <= endVa, "vm_map_min(kernel_map) <= startva <= endva");
        long start = (long)(startVa - KernelMapMin);
        long end = (long)(endVa - KernelMapMin);
        K.Kassert(end <= kobj.Size, "endva - vm_map_min(kernel_map) <= uobj size");
        return (start, end);
    }

    /// <summary>pmap_remove(pmap_kernel(), startva, endva): no kernel mappings in this layer (see Pages.PageProtectNone).</summary>
    public static void PmapRemoveKernel(Uvm uvm) { }

    /// <summary>The closing accounting of uvm_km_pgremove.</summary>
    public static void SubtractSwpgOnly(Uvm uvm, int delta)
    {
        if (delta == 0)
            return;
        K.Kassert(uvm.Exp.SwpgOnly >= delta, "uvmexp.swpgonly >= swpgonlydelta");
        uvm.Exp.SwpgOnly -= delta;
    }
}
