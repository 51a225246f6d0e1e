using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// uvm_swap.c: the swap slot allocator, reduced to what the page layer observes: which slots are
/// allocated and the swpginuse counter. Slots are handed out lowest-first so that every side of a
/// differential run numbers them alike.
/// </summary>
public sealed class SwapSpace(UvmExp exp, int slots)
{
    /// <summary>SWSLOT_BAD: the slot a failed swap read leaves behind; never freed, never reused.</summary>
    public const int SlotBad = -1;

    private readonly bool[] _inUse = new bool[slots + 1];
    private int _lowestMaybeFree = 1;

    /// <summary>Every slot free again (a machine being reset); the counters are reset by the machine.</summary>
    public void Reset()
    {
        Array.Clear(_inUse);
        _lowestMaybeFree = 1;
    }

    /// <summary>uvm_swap_alloc for one page. => returns 0 when swap is full</summary>
    public int Alloc()
    {
        for (int slot = _lowestMaybeFree; slot < _inUse.Length; slot++)
        {
            if (_inUse[slot])
                continue;
            _inUse[slot] = true;
            _lowestMaybeFree = slot + 1;
            exp.SwpgInUse++;
            return slot;
        }
        return 0;
    }

    /// <summary>uvm_swap_free for one slot. => SWSLOT_BAD and 0 are ignored, as the kernel does</summary>
    public void Free(int slot)
    {
        if (slot <= 0)
            return;
        K.Kassert(_inUse[slot], "uvm_swap_free: slot in use");
        _inUse[slot] = false;
        exp.SwpgInUse--;
        if (slot < _lowestMaybeFree)
            _lowestMaybeFree = slot;
    }
}
