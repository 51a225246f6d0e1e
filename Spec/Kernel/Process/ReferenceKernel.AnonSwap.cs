using UvmDiff.Spec.Pages;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// Anonymous memory on the page queues and in swap (uvm_anon.c, uvm_fault.c's uvmfault_anonget,
/// uvm_pdaemon.c's scan of anon pages, uvm_swap.c). An anon's page is the object layer's frame of that
/// physical page, taken off its free list with PQ_ANON and no object, so that it sits on the same queues
/// as the object pages, in the order the kernel puts them there; its wire count is the pmap's
/// (uvm_pagewire and uvm_pageunwire follow the pmap's wires). An anon whose page went to swap keeps its
/// slot (an_swslot) and has no page until a fault reads it back in.
/// </summary>
public sealed partial class ReferenceKernel
{
    /// <summary>an_swslot of each anon that has one; absent: 0.</summary>
    private readonly Dictionary<int, int> _anonSlot = [];

    private void ResetAnonSwap() => _anonSlot.Clear();

    /// <summary>
    /// uvm_pagealloc(NULL, 0, anon, flags) of the chosen free page: PQ_ANON, PG_CLEAN only for a page read
    /// from swap (pmap_clear_modify; a zero fill and uvm_pagecopy leave it dirty); then activated:
    /// uvmfault_anonget activates what it read in, uvm_fault_upper and amap_cow_now what they filled.
    /// </summary>
    private void TakeAnonFrame(int page, bool clean)
    {
        var pg = _uvm.Frames[page];
        _uvm.PutOnTop(pg);
        var taken = _uvm.TakeFreePage()!;
        _uvm.Exp.Free--;
        taken.Flags = PgFlags.QueueAnon | (clean ? PgFlags.Clean : PgFlags.None);
        _uvm.LockPageq();
        Pages.Pages.Activate(_uvm, taken);
        _uvm.UnlockPageq();
    }

    private bool InSwap(int anon) => _anonSlot.ContainsKey(anon) && PageOf(anon) < 0;

    /// <summary>
    /// uvm_fault_upper on the anon the fault resolved to: it reactivates the page (uvm_pagewire instead on
    /// a wired entry, which <see cref="SyncAnonWires"/> follows). When the fault copied a shared anon
    /// (the amap held another anon there before), uvmfault_anonget first brought the old anon's page
    /// in to copy from.
    /// </summary>
    private string? AnonPagesIn(MapView before, ulong va, int anon)
    {
        if (before.EntryAt(va) is { } old && before.AnonAt(old, va) is var oldAnon and not 0 && oldAnon != anon)
        {
            if (InSwap(oldAnon) && PageFor(oldAnon) is { } failed)
                return failed;
        }
        return null;
    }

    private void Reactivate(int anon)
    {
        int page = PageOf(anon);
        _uvm.LockPageq();
        Pages.Pages.Activate(_uvm, _uvm.Frames[page]);
        _uvm.UnlockPageq();
    }

    /// <summary>
    /// uvm_fault_upper on a wired fault (a wired entry, or mlock's VM_FAULT_WIRE): the page, now wired,
    /// cannot be paged out, so its swap slot goes back (uvm_anon_dropswap) and, an anon without swap not
    /// being able to be clean, PG_CLEAN is cleared.
    /// </summary>
    private void WiredDropsSwap(int anon)
    {
        _uvm.Frames[PageOf(anon)].Flags &= ~PgFlags.Clean;
        if (_anonSlot.Remove(anon, out int slot))
        {
            _uvm.Swap.Free(slot);
            _coreChanges++;
        }
    }

    /// <summary>
    /// pmap_page_protect(PROT_NONE) and uvm_pagedeactivate of an anon's page: to the inactive tail with
    /// pmap_clear_reference, PG_CLEAN cleared when the pmap saw a store; a page already inactive stays.
    /// </summary>
    private void DeactivateAnonPage(int page)
    {
        var pg = _uvm.Frames[page];
        _pmap.PageProtect(page, PmapProt.None);
        if (pg.Has(PgFlags.QueueInactive))
            return;
        _pmap.ClearReference(page);
        if (_pmap.IsModified(page))
            pg.Flags &= ~PgFlags.Clean;
        _uvm.LockPageq();
        Pages.Pages.Deactivate(_uvm, pg);
        _uvm.UnlockPageq();
    }

    /// <summary>
    /// uvm_pagewire and uvm_pageunwire on anon pages, following the pmap's wire counts (the pmap machines
    /// keep vm_page's wire_count): a page whose last wire goes is activated.
    /// => pages in physical page order, so the active queue's order after an op that unwires several does
    ///    not depend on the owner table's history (uvm_fault_unwire_locked goes in VA order: the model
    ///    activates them after the op instead, see the README)
    /// </summary>
    private void SyncAnonWires()
    {
        if (_owner.Count == 0)
            return;
        _uvm.LockPageq();
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (!_owner.ContainsKey(page))
                continue;
            var pg = _uvm.Frames[page];
            while (pg.WireCount < _pmap.WireCount(page))
                Pages.Pages.Wire(_uvm, pg);
            while (pg.WireCount > _pmap.WireCount(page))
                Pages.Pages.Unwire(_uvm, pg);
        }
        _uvm.UnlockPageq();
    }

    /// <summary>
    /// uvm_anfree of the anons no process holds any more that have a slot, before their pages go (uvm_anfree
    /// tests the page the anon had on entry): one that lived only in swap takes swpgonly down, and
    /// uvm_anon_dropswap frees the slot (uvm_swap_free).
    /// </summary>
    private void DropSwapOfDropped(HashSet<int> held)
    {
        if (_anonSlot.Count == 0)
            return;
        foreach (var (anon, slot) in _anonSlot.ToArray())
        {
            if (held.Contains(anon))
                continue;
            if (PageOf(anon) < 0)
                _uvm.Exp.SwpgOnly--;
            _uvm.Swap.Free(slot);
            _anonSlot.Remove(anon);
            _coreChanges++;
        }
    }

    /// <summary>
    /// The page daemon on an anon's page, as on a file's page (<see cref="FileDaemon"/>):
    /// <c>deactivate</c> is uvmpd_scan_active's (pmap_page_protect(PROT_NONE), uvm_pagedeactivate);
    /// <c>clean</c> and <c>free</c> are uvmpd_scan_inactive's two passes over an inactive swap-backed page
    /// (<see cref="CleanAnonPage"/>, <see cref="FreeAnonPage"/>); <c>pageout</c> is all three in one
    /// pass, as for an aobj page: deactivated, cleaned when dirty, freed.
    /// => EPERM for a wired page (on no queue); EALREADY for deactivating an inactive page; EINVAL for
    ///    clean or free of a page not on the inactive queue (the daemon scans only those)
    /// </summary>
    private string? AnonPageDaemon(int page, int anon, DaemonAction action)
    {
        var pg = _uvm.Frames[page];
        if (pg.WireCount != 0)
            return "EPERM";
        switch (action)
        {
            case DaemonAction.Deactivate:
                if (pg.Has(PgFlags.QueueInactive))
                    return "EALREADY";
                DeactivateAnonPage(page);
                return null;
            case DaemonAction.Clean:
                return pg.Has(PgFlags.QueueInactive) ? CleanAnonPage(page, anon) : "EINVAL";
            case DaemonAction.Free:
                return pg.Has(PgFlags.QueueInactive) ? FreeAnonPage(page) : "EINVAL";
        }
        DeactivateAnonPage(page);
        if (CleanAnonPage(page, anon) is "ENOSPC")
            return "ENOSPC";
        return FreeAnonPage(page);
    }

    /// <summary>
    /// uvmpd_scan_inactive on a dirty swap-backed page: every mapping removed, PG_CLEAN synced with
    /// pmap_is_modified; the anon's old slot dropped (uvmpd_dropswap), a new one taken (uvm_swap_alloc,
    /// an_swslot) and written; the write's completion sets PG_CLEAN and clears the modified bit
    /// (pmap_clear_modify). The page stays on the inactive queue for the next pass to free.
    /// => EALREADY for a clean page; ENOSPC when no slot is free ("no swap? give up!"): the page is
    ///    unbusied and left where it is, on the inactive queue, dirty, without its old slot
    /// </summary>
    private string? CleanAnonPage(int page, int anon)
    {
        var pg = _uvm.Frames[page];
        _pmap.PageProtect(page, PmapProt.None);
        if (_pmap.IsModified(page))
            pg.Flags &= ~PgFlags.Clean;
        if (pg.Has(PgFlags.Clean))
            return "EALREADY";
        if (_anonSlot.Remove(anon, out int old))
            _uvm.Swap.Free(old);
        _coreChanges++;
        int slot = _uvm.Swap.Alloc();
        if (slot == 0)
            return "ENOSPC";
        _anonSlot[anon] = slot;
        pg.Flags |= PgFlags.Clean;
        _pmap.ClearModify(page);
        return null;
    }

    /// <summary>
    /// uvmpd_scan_inactive on a clean swap-backed page: every mapping removed, PG_CLEAN synced; then
    /// anon->an_page = NULL, uvm_pagefree, and swpgonly up: the anon lives only in its slot.
    /// => EAGAIN for a dirty page (clean it first)
    /// </summary>
    private string? FreeAnonPage(int page)
    {
        var pg = _uvm.Frames[page];
        _pmap.PageProtect(page, PmapProt.None);
        if (_pmap.IsModified(page))
            pg.Flags &= ~PgFlags.Clean;
        if (!pg.Has(PgFlags.Clean))
            return "EAGAIN";
        FreePage(page);
        _uvm.Exp.SwpgOnly++;
        return null;
    }

    private void WalkAnonSwap(IKernelFactSink sink)
    {
        if (_anonSlot.Count != 0)
        {
            foreach (int anon in _anonSlot.Keys.Order())
                sink.AnonSlot(anon, _anonSlot[anon]);
        }
        if (sink.WantsFiles)
            WalkAnonPagesClean(sink);
    }

    /// <summary>The anon pages that are PG_CLEAN, by page.</summary>
    private void WalkAnonPagesClean(IKernelFactSink sink)
    {
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_owner.ContainsKey(page) && _uvm.Frames[page].Has(PgFlags.Clean))
                sink.AnonPageClean(page);
        }
    }
}
