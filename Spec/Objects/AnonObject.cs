using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_aobj.c: struct uvm_aobj: anonymous memory backed by swap, one slot per page index.
/// A slot is 0 (none), a positive swap slot, or <see cref="Pages.SwapSpace.SlotBad"/>.
/// The kernel object (created with UAO_FLAG_KERNSWAP) is one of these.
/// </summary>
public sealed class AnonObject : UvmObject
{
    private readonly int[] _slots;
    private readonly long[] _slotData;

    public readonly int SizePages;
    public readonly bool KernSwap;

    public AnonObject(int id, PageIndex pages, int sizePages, bool kernSwap)
        : base(id, pages)
    {
        SizePages = sizePages;
        KernSwap = kernSwap;
        _slots = new int[sizePages];
        _slotData = new long[sizePages];
    }

    /// <summary>u_swslots: the slot of each page index.</summary>
    public ReadOnlySpan<int> Slots => _slots;

    /// <summary>What each slot holds: the page contents written at pageout.</summary>
    public ReadOnlySpan<long> SlotData => _slotData;

    public void StoreSlot(int pageIndex, int slot)
    {
        _slots[pageIndex] = slot;
        Changes.Slot(this, pageIndex);
    }

    public void StoreSlotData(int pageIndex, long data)
    {
        _slotData[pageIndex] = data;
        Changes.Slot(this, pageIndex);
    }

    public override long Size => (long)SizePages << K.PageShift;

    public override string Kind => KernSwap ? "kernel aobj" : "aobj";

    public override void Reset()
    {
        base.Reset();
        Array.Clear(_slots);
        Array.Clear(_slotData);
    }
}
