using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_aobj.c: uao_set_swslot, uao_dropswap, uao_get for one page, and the pagedaemon's swap-out
/// of one aobj page (uvm_pdaemon.c: uvmpd_scan_active + uvmpd_scan_inactive + uvm_swap_put, synchronous).
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
    /// Forget every slot of page indices [start, end) and free the real ones. Not uao_dropswap_range,
    /// which asserts (hash mode) that no page of the range is resident, leaves SWSLOT_BAD entries in
    /// place and takes the freed slots off swpgonly itself.
    /// => returns the slots freed and the SWSLOT_BAD slots forgotten; swpgonly is the caller's business
    /// </summary>
    public static (int Freed, int Bad) ForgetSwapSlots(Uvm uvm, AnonObject aobj, int start, int end)
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
    /// uao_get(PGO_SYNCIO) for one page that is not resident: allocate it BUSY for
    /// <paramref name="owner"/>, then zero-fill it or read it from its swap slot.
    /// => the swap read drops the object lock (uvm_swap_get): a sleep point when a routine under test
    ///    is the caller, none for a fault by another thread (see <see cref="OtherThreads.FaultIn"/>)
    /// => <paramref name="readFails"/> or an I/O error during the read's sleep makes the swap read fail,
    ///    as does a SWSLOT_BAD slot: the slot
    ///    becomes SWSLOT_BAD (uvm_swap_markbad keeps it allocated) and the page is freed
    /// => no free page is <see cref="GetFailure.NoMemory"/>: the kernel sleeps in uvm_wait and retries
    /// => a page read from swap is CLEAN and keeps its slot (swpgonly drops: the slot is no longer the
    ///    only copy); a zero-filled page is not CLEAN
    /// </summary>
    public static VmPage? Get(
        Uvm uvm,
        AnonObject aobj,
        long offset,
        bool readFails,
        string owner,
        out GetFailure failure
    )
    {
        int idx = (int)(offset >> K.PageShift);
        int slot = aobj.Slots[idx];
        var pg = Pages.Pages.Alloc(uvm, aobj, offset, zero: slot == 0, owner);
        if (pg is null)
        {
            failure = GetFailure.NoMemory;
            return null;
        }
        failure = GetFailure.None;
        if (slot == 0)
        {
            pg.Flags &= ~PgFlags.Fake;
            return pg;
        }
        if (
            slot != SwapSpace.SlotBad
            && owner != Owners.OtherThread
            && uvm.Sleep(new SleepPoint("uvm_swap_get", aobj, offset, IsIo: true)) == WakeResult.IoError
        )
            readFails = true;
        if (slot == SwapSpace.SlotBad || readFails)
        {
            if (slot != SwapSpace.SlotBad)
                SetSwslot(aobj, idx, SwapSpace.SlotBad);
            Pages.Pages.Free(uvm, pg);
            failure = GetFailure.PagerError;
            return null;
        }
        uvm.Exp.SwpgOnly--;
        pg.Data = aobj.SlotData[idx];
        pg.Flags &= ~PgFlags.Fake;
        return pg;
    }

    /// <summary>
    /// The pagedaemon paging one aobj page out: uvmpd_scan_active deactivates it, then
    /// uvmpd_scan_inactive frees it, writing it to swap first unless it is CLEAN.
    /// => busy pages are skipped (EBUSY), wired ones are on no queue (EPERM)
    /// => deactivation removes every mapping and clears CLEAN if the pmap saw a write
    /// => a CLEAN page is freed without a write, and swpgonly goes up without looking at the slot:
    ///    the page's swap slot is trusted to hold its contents. A CLEAN page whose slot was dropped
    ///    behind its back (uvm_obj_wire's batch-index uao_dropswap) loses its contents here
    /// => a dirty page's old slot is dropped first (uvmpd_dropswap), then a new slot gets the contents;
    ///    with no slot to be had the page is reactivated (ENOSPC)
    /// => returns an errno name, or null when the page was freed
    /// </summary>
    public static string? PageOut(Uvm uvm, AnonObject aobj, VmPage pg)
    {
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        if (pg.WireCount != 0)
            return "EPERM";
        uvm.LockPageq();
        Pages.Pages.Deactivate(uvm, pg);
        uvm.UnlockPageq();
        Pages.Pages.PageProtectNone(uvm, pg);
        if (!pg.Has(PgFlags.Clean) && !WriteToSwap(uvm, aobj, pg))
            return "ENOSPC";
        Pages.Pages.Free(uvm, pg);
        uvm.Exp.SwpgOnly++;
        return null;
    }

    /// <summary>
    /// The pagedaemon writing one dirty aobj page to swap: its old slot dropped (uvmpd_dropswap), a new
    /// one allocated (uvm_swap_alloc) that gets the contents (uvm_swap_put, uao_set_swslot).
    /// => false when no slot is to be had: the page is reactivated
    /// </summary>
    public static bool WriteToSwap(Uvm uvm, AnonObject aobj, VmPage pg)
    {
        int idx = (int)(pg.Offset >> K.PageShift);
        DropSwap(uvm, aobj, idx);
        int slot = uvm.Swap.Alloc();
        if (slot == 0)
        {
            uvm.LockPageq();
            Pages.Pages.Activate(uvm, pg);
            uvm.UnlockPageq();
            return false;
        }
        SetSwslot(aobj, idx, slot);
        aobj.StoreSlotData(idx, pg.Data);
        return true;
    }
}

/// <summary>Why pgo_get returned no page.</summary>
public enum GetFailure
{
    None,

    /// <summary>No free page: the kernel's pgo_get sleeps in uvm_wait and tries again.</summary>
    NoMemory,

    /// <summary>The read failed: VM_PAGER_ERROR.</summary>
    PagerError,
}
