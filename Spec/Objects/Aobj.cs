using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_aobj.c: uao_set_swslot, uao_dropswap, uao_get for one page, and the pagedaemon's swap-out
/// of one aobj page (uvmpd_scan_inactive + uvm_swap_put, synchronous).
/// </summary>
public static class Aobj
{
    /// <summary>uao_set_swslot: store a new slot, return the old one.</summary>
    public static int SetSwslot(AnonObject aobj, int pageIndex, int slot)
    {
        int old = aobj.Slots[pageIndex];
        aobj.StoreSlot(pageIndex, slot);
        if (slot == 0)
            aobj.StoreSlotData(pageIndex, 0);
        return old;
    }

    /// <summary>
    /// uao_dropswap: forget the slot of one page index and free it.
    /// => returns the old slot (0, a slot number, or SWSLOT_BAD); swpgonly is the caller's business
    /// </summary>
    public static int DropSwap(Uvm uvm, AnonObject aobj, int pageIndex)
    {
        int slot = SetSwslot(aobj, pageIndex, 0);
        uvm.Swap.Free(slot);
        return slot;
    }

    /// <summary>
    /// uao_dropswap_range: drop every slot of page indices [start, end) and free the real ones.
    /// => returns the slots freed and the SWSLOT_BAD slots forgotten; the kernel's version counts only
    ///    the freed ones against swpgonly, which is the caller's choice here
    /// </summary>
    public static (int Freed, int Bad) DropSwapRange(Uvm uvm, AnonObject aobj, int start, int end)
    {
        int freed = 0,
            bad = 0;
        for (int i = start; i < end; i++)
        {
            int slot = SetSwslot(aobj, i, 0);
            if (slot > 0)
            {
                uvm.Swap.Free(slot);
                freed++;
            }
            else if (slot == SwapSpace.SlotBad)
            {
                bad++;
            }
        }
        return (freed, bad);
    }

    /// <summary>
    /// uao_get for one page, as the fault path calls it: resident pages are not our business here.
    /// => <paramref name="readFails"/> makes the swap read fail: the slot becomes SWSLOT_BAD
    ///    (uvm_swap_markbad keeps it allocated) and the page is freed
    /// => returns the page BUSY, or null with the reason in <paramref name="error"/>
    /// </summary>
    public static VmPage? Get(Uvm uvm, AnonObject aobj, long offset, bool readFails, out string? error)
    {
        int idx = (int)(offset >> K.PageShift);
        int slot = aobj.Slots[idx];
        var pg = Pages.Pages.Alloc(uvm, aobj, offset, zero: slot == 0, Owners.OtherThread);
        if (pg is null)
        {
            error = "ENOMEM";
            return null;
        }
        error = null;
        if (slot == 0)
        {
            pg.Flags &= ~PgFlags.Fake;
            return pg;
        }
        if (slot == SwapSpace.SlotBad || readFails)
        {
            if (slot != SwapSpace.SlotBad)
                SetSwslot(aobj, idx, SwapSpace.SlotBad);
            Pages.Pages.Free(uvm, pg);
            error = "EIO";
            return null;
        }
        uvm.Exp.SwpgOnly--;
        pg.Data = aobj.SlotData[idx];
        pg.Flags &= ~PgFlags.Fake;
        return pg;
    }

    /// <summary>
    /// The pagedaemon swapping one clean-or-dirty, unbusy, unwired aobj page out: a fresh slot gets the
    /// contents, the old slot is dropped, the page is freed, and the slot is now the only copy.
    /// => returns an errno name, or null on success
    /// </summary>
    public static string? PageOut(Uvm uvm, AnonObject aobj, VmPage pg)
    {
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        if (pg.WireCount != 0)
            return "EPERM";
        int slot = uvm.Swap.Alloc();
        if (slot == 0)
            return "ENOSPC";
        int idx = (int)(pg.Offset >> K.PageShift);
        uvm.Swap.Free(SetSwslot(aobj, idx, slot));
        aobj.StoreSlotData(idx, pg.Data);
        Pages.Pages.PageProtectNone(uvm, pg);
        Pages.Pages.Free(uvm, pg);
        uvm.Exp.SwpgOnly++;
        return null;
    }
}
