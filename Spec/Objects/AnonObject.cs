using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_aobj.c: struct uvm_aobj: anonymous memory backed by swap, one slot per page index.
/// A slot is 0 (none), a positive swap slot, or <see cref="Pages.SwapSpace.SlotBad"/>.
/// The kernel object (created with UAO_FLAG_KERNSWAP) is one of these.
/// </summary>
public sealed class AnonObject : UvmObject
{
    public readonly int SizePages;
    public readonly bool KernSwap;

    /// <summary>u_swslots: the slot of each page index.</summary>
    public readonly int[] Slots;

    /// <summary>What each slot holds: the page contents written at pageout.</summary>
    public readonly long[] SlotData;

    public AnonObject(int id, PageIndex pages, int sizePages, bool kernSwap)
        : base(id, pages)
    {
        SizePages = sizePages;
        KernSwap = kernSwap;
        Slots = new int[sizePages];
        SlotData = new long[sizePages];
    }

    public override long Size => (long)SizePages << K.PageShift;

    public override string Kind => KernSwap ? "kernel aobj" : "aobj";
}
