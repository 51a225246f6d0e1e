using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pages;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>
/// Anon pages on the page queues and in swap: an anon's page is the object layer's frame, PQ_ANON with no
/// object, on the shared queues; its wire count follows the pmap's; a paged-out anon keeps an_swslot
/// (<see cref="_slotOfAnon"/>) and no page until uvmfault_anonget reads it back.
/// </summary>
public sealed partial class ComposedKernel
{
    /// <summary>an_swslot by anon id; 0: none.</summary>
    private int[] _slotOfAnon = new int[64];

    /// <summary>How many anons hold a slot: the walks and uvm_anfree skip the slots while it is 0.</summary>
    private int _slotted;

    private readonly bool _anfreeKeepsSwap;

    private void ResetAnonSwap()
    {
        Array.Clear(_slotOfAnon);
        _slotted = 0;
    }

    private int SlotOf(int anon) => anon < _slotOfAnon.Length ? _slotOfAnon[anon] : 0;

    private void SetSlot(int anon, int slot)
    {
        if (anon >= _slotOfAnon.Length)
            Array.Resize(ref _slotOfAnon, Math.Max(anon + 1, _slotOfAnon.Length * 2));
        _slotted += (slot != 0 ? 1 : 0) - (_slotOfAnon[anon] != 0 ? 1 : 0);
        _slotOfAnon[anon] = slot;
        _coreChanges++;
    }

    /// <summary>uvm_pagealloc(NULL, 0, anon, ...) of the chosen page, then uvm_pageactivate.</summary>
    private void AnonFrame(int page, bool fromSwap)
    {
        var frames = _uvm.Frames;
        _uvm.PutOnTop(frames[page]);
        var pg = _uvm.TakeFreePage()!;
        _uvm.Exp.Free--;
        pg.Flags = fromSwap ? PgFlags.QueueAnon | PgFlags.Clean : PgFlags.QueueAnon;
        if (fromSwap)
        {
            Probes[KernelProbes.AnonPagein]++;
            _uvm.Exp.SwpgOnly--;
        }
        _uvm.LockPageq();
        Pages.Activate(_uvm, pg);
        _uvm.UnlockPageq();
    }

    /// <summary>uvm_fault_upper's uvm_pageactivate of the page it mapped.</summary>
    private void ActivateAnonPage(int page)
    {
        _uvm.LockPageq();
        Pages.Activate(_uvm, _uvm.Frames[page]);
        _uvm.UnlockPageq();
    }

    /// <summary>
    /// The copy-on-write fault's uvmfault_anonget on the shared anon it copies from: the anon
    /// <paramref name="old"/> the faulting address had before the fault (<see cref="NoAnon"/>: none) is
    /// read in when its page is in swap.
    /// => false when no page is free
    /// </summary>
    private bool OldAnonIn(int old, int anon) =>
        _slotted == 0
        || old == NoAnon
        || old == anon
        || PageOfAnon(old) != NoPage
        || SlotOf(old) == 0
        || PageFor(old) != NoPage;

    /// <summary>uvm_fault_upper's wired case: PG_CLEAN cleared and uvm_anon_dropswap of the page's anon.</summary>
    private void ReleaseSwapOfWired(int page)
    {
        var pg = _uvm.Frames[page];
        if (pg.Has(PgFlags.Clean))
            pg.Flags &= ~PgFlags.Clean;
        int anon = _ownerAnon[page];
        int slot = SlotOf(anon);
        if (slot == 0)
            return;
        _uvm.Swap.Free(slot);
        SetSlot(anon, 0);
    }

    /// <summary>uvm_pagewire / uvm_pageunwire of anon pages up or down to the pmap's wire counts.</summary>
    private void FollowWires()
    {
        _uvm.LockPageq();
        var frames = _uvm.Frames;
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerAnon[page] == NoAnon)
                continue;
            var pg = frames[page];
            int target = _pmap.WireCount(page);
            for (; pg.WireCount < target; )
                Pages.Wire(_uvm, pg);
            for (; pg.WireCount > target; )
                Pages.Unwire(_uvm, pg);
        }
        _uvm.UnlockPageq();
    }

    /// <summary>uvm_anfree's uvm_anon_dropswap (and swpgonly for an anon that lived only in swap).</summary>
    private void DropSwap(int anon)
    {
        int slot = SlotOf(anon);
        if (slot == 0)
            return;
        Probes[KernelProbes.AnfreeDropsSwap]++;
        if (_anfreeKeepsSwap)
            return;
        if (PageOfAnon(anon) == NoPage)
            _uvm.Exp.SwpgOnly--;
        _uvm.Swap.Free(slot);
        SetSlot(anon, 0);
    }

    /// <summary>pmap_page_protect(PROT_NONE), then uvm_pagedeactivate unless already inactive.</summary>
    private void DeactivateAnon(int page)
    {
        _pmap.PageProtect(page, PmapProt.None);
        var pg = _uvm.Frames[page];
        if (pg.Has(PgFlags.QueueInactive))
            return;
        _pmap.ClearReference(page);
        if (_pmap.IsModified(page))
            pg.Flags &= ~PgFlags.Clean;
        _uvm.LockPageq();
        Pages.Deactivate(_uvm, pg);
        _uvm.UnlockPageq();
    }

    /// <summary>uvmpd_scan_active / uvmpd_scan_inactive on an anon page; see the reference's AnonPageDaemon.</summary>
    private string? AnonDaemon(int page, DaemonAction action)
    {
        var pg = _uvm.Frames[page];
        if (pg.WireCount != 0)
            return "EPERM";
        bool inactive = pg.Has(PgFlags.QueueInactive);
        if (action == DaemonAction.Deactivate)
        {
            if (inactive)
                return "EALREADY";
            DeactivateAnon(page);
            return null;
        }
        if (action != DaemonAction.Pageout && !inactive)
            return "EINVAL";
        if (action == DaemonAction.Pageout)
            DeactivateAnon(page);
        _pmap.PageProtect(page, PmapProt.None);
        if (_pmap.IsModified(page))
            pg.Flags &= ~PgFlags.Clean;
        bool dirty = !pg.Has(PgFlags.Clean);
        if (action == DaemonAction.Free)
            return dirty ? "EAGAIN" : SwapOnly(page);
        if (dirty)
        {
            int anon = _ownerAnon[page];
            int old = SlotOf(anon);
            if (old != 0)
            {
                _uvm.Swap.Free(old);
                SetSlot(anon, 0);
            }
            int slot = _uvm.Swap.Alloc();
            if (slot == 0)
                return "ENOSPC";
            SetSlot(anon, slot);
            pg.Flags |= PgFlags.Clean;
            _pmap.ClearModify(page);
        }
        if (action == DaemonAction.Clean)
            return dirty ? null : "EALREADY";
        return SwapOnly(page);
    }

    /// <summary>The clean page freed (anon->an_page = NULL, uvm_pagefree): the anon lives only in swap.</summary>
    private string? SwapOnly(int page)
    {
        Probes[KernelProbes.AnonPageout]++;
        Free(page);
        _uvm.Exp.SwpgOnly++;
        return null;
    }

    private void WalkAnonSwap(IKernelFactSink sink)
    {
        if (_slotted != 0)
        {
            for (int anon = 0; anon < _slotOfAnon.Length; anon++)
            {
                if (_slotOfAnon[anon] != 0)
                    sink.AnonSlot(anon, _slotOfAnon[anon]);
            }
        }
        if (sink.WantsFiles)
            WalkAnonPagesClean(sink);
    }

    /// <summary>The anon pages that are PG_CLEAN, by page.</summary>
    private void WalkAnonPagesClean(IKernelFactSink sink)
    {
        var frames = _uvm.Frames;
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerAnon[page] != NoAnon && frames[page].Has(PgFlags.Clean))
                sink.AnonPageClean(page);
        }
    }
}
