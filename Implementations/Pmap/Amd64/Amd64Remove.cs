using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

public sealed partial class Amd64Pmap
{
    /// <summary>pmap_remove; counted as a change when resident_count moved (a PTE or a PTP went).</summary>
    public void Remove(int pmap, ulong sva, ulong eva)
    {
        long resident = _resident[pmap];
        DoRemove(pmap, sva, eva);
        if (_resident[pmap] != resident)
            Changes++;
    }

    /// <summary>
    /// pmap_do_remove: a one-page range takes the shortcut; otherwise per 2 MiB block
    /// (blkend = x86_round_pdr(va + 1), clamped to eva) a block whose directories are invalid is
    /// skipped, and a populated one is scanned by remove_ptes until its PTP holds nothing more. Then
    /// the shootdown (a full flush for more than 32 pages), the wait, and only then the freed PTPs.
    /// </summary>
    private void DoRemove(int pmap, ulong sva, ulong eva)
    {
        _shootPmap = pmap;
        if (sva + PmapWorld.PageSize == eva)
        {
            if (_counting)
                _counters.Lookups++;
            var ptp = PdesValid(pmap, sva);
            if (ptp is not null && RemovePte(pmap, ptp, sva))
            {
                ShootPage(pmap, sva);
                if (ptp.WireCount <= 1)
                    FreePtp(pmap, ptp);
            }
        }
        else
        {
            for (ulong va = sva; va < eva; )
            {
                Probes[PmapProbes.DoRemoveBlock]++;
                ulong blkend = _blockRounding ? Pte.RoundPdr(va) : Pte.RoundPdr(va + 1);
                if (blkend > eva)
                    blkend = eva;
                if (blkend <= va)
                    throw new SimulationLimit($"pmap_do_remove: the block loop makes no progress at 0x{va:x}");
                if (_counting)
                    _counters.Lookups++;
                var ptp = PdesValid(pmap, va);
                if (ptp is not null)
                {
                    RemovePtes(pmap, ptp, va, blkend);
                    if (ptp.WireCount <= 1)
                        FreePtp(pmap, ptp);
                }
                va = blkend;
            }
            for (
                ulong va = sva;
                va < eva && eva - sva <= FlushAllThreshold * PmapWorld.PageSize;
                va += PmapWorld.PageSize
            )
                ShootPage(pmap, va);
            if (eva - sva > FlushAllThreshold * PmapWorld.PageSize)
                ShootAll(pmap);
        }
        if (_ptpFreedEarly)
            FreeQueuedPtps();
        ShootWait();
        FreeQueuedPtps();
    }

    /// <summary>pmap_tlb_shoottlb: queue a full flush (counted as one).</summary>
    private void ShootAll(int pmap)
    {
        _shootPmap = pmap;
        _shootAll = true;
    }

    /// <summary>pmap_remove_ptes: valid PTEs of [sva, eva) in one PTP, stopping once the PTP holds nothing.</summary>
    private void RemovePtes(int pmap, Ptp ptp, ulong sva, ulong eva)
    {
        for (ulong va = sva; va < eva && ptp.WireCount > 1; va += PmapWorld.PageSize)
        {
            if (_counting)
                _counters.PtesVisited++;
            RemovePte(pmap, ptp, va);
        }
    }

    /// <summary>
    /// pmap_remove_pte: swap the PTE to 0, fix the stats and the PTP's count, sync U/M into the page
    /// and take its PV entry off (PV entries may go before the wait: they are software-only, 9.2).
    /// => false when the PTE was not valid
    /// </summary>
    private bool RemovePte(int pmap, Ptp ptp, ulong va)
    {
        int index = Pte.Index(va, 1);
        ulong opte = ptp.Entries[index];
        if ((opte & Pte.V) == 0)
            return false;
        ptp.Entries[index] = 0;
        _resident[pmap]--;
        if ((opte & Pte.Wired) != 0)
            _wired[pmap]--;
        ptp.WireCount--;
        ptp.Unmark(index);
        if ((opte & Pte.PvList) != 0)
        {
            int page = PageOfPte(opte);
            Probes[PmapProbes.RemoveSync]++;
            if (!_noRemoveSync)
                SyncFlags(page, opte);
            _tracking.Removed(page, pmap, va);
        }
        _walkPoints++;
        return true;
    }

    /// <summary>
    /// pmap_free_ptp: unlink the PTP, zero its parent's entry, and continue upwards while the parent
    /// holds nothing; the pages are only queued (freed after the shootdown wait).
    /// </summary>
    private void FreePtp(int pmap, Ptp ptp)
    {
        Probes[PmapProbes.PtpFreed]++;
        while (true)
        {
            var parent = ptp.Parent!;
            parent.Entries[ptp.ParentIndex] = 0;
            parent.Unmark(ptp.ParentIndex);
            parent.WireCount--;
            _resident[pmap]--;
            _freedPtps.Add(ptp);
            if (_counting)
                _counters.TablePagesFreed++;
            if (parent.Level == 4 || parent.WireCount > 1)
                return;
            ptp = parent;
        }
    }

    /// <summary>
    /// pmap.h's inline pmap_protect: nothing when the protection keeps WRITE; pmap_remove for
    /// PROT_NONE (WRITE-only is ignored); otherwise pmap_write_protect clears RW and, without EXEC,
    /// sets NX on every valid PTE, each change shot down.
    /// </summary>
    public void Protect(int pmap, ulong sva, ulong eva, Prot prot)
    {
        Changes++;
        if ((prot & Prot.Write) != 0)
            return;
        if ((prot & (Prot.Read | Prot.Exec)) == 0)
        {
            DoRemove(pmap, sva, eva);
            return;
        }
        ulong clear = Pte.RW;
        ulong set = (prot & Prot.Exec) == 0 ? Pte.NX : 0;
        _shootPmap = pmap;
        for (ulong va = sva; va < eva; va += PmapWorld.PageSize)
        {
            var ptp = PdesValid(pmap, va);
            if (ptp is null)
                continue;
            int index = Pte.Index(va, 1);
            ulong pte = ptp.Entries[index];
            if ((pte & Pte.V) == 0)
                continue;
            ulong npte = (pte & ~clear) | set;
            if (npte != pte)
            {
                ptp.Entries[index] = npte;
                ShootPage(pmap, va);
            }
        }
        ShootWait();
    }

    /// <summary>
    /// pmap_page_protect: READ clears PG_RW in every mapping (pmap_clear_attrs); NONE is
    /// pmap_page_remove: per PV entry zap the PTE, fix the stats, shoot the page down, sync U/M, drop
    /// the PTP's count and queue the PTP at 1; then the wait, then the PTPs.
    /// </summary>
    public void PageProtect(int page, Prot prot)
    {
        Changes++;
        K.Kassert(prot is Prot.None or Prot.Read, "prot == PROT_NONE || prot == PROT_READ");
        if (prot == Prot.Read)
        {
            foreach (var pve in _tracking.Find(this, page))
            {
                int index = Pte.Index(pve.Va, 1);
                ulong pte = pve.Ptp.Entries[index];
                if ((pte & Pte.RW) != 0)
                {
                    pve.Ptp.Entries[index] = pte & ~Pte.RW;
                    ShootPage(pve.Pmap, pve.Va);
                    ShootWait();
                }
            }
            return;
        }
        foreach (var pve in _tracking.Find(this, page))
        {
            var ptp = pve.Ptp;
            int pmap = pve.Pmap;
            int index = Pte.Index(pve.Va, 1);
            ulong opte = ptp.Entries[index];
            ptp.Entries[index] = 0;
            _resident[pmap]--;
            if ((opte & Pte.Wired) != 0)
                _wired[pmap]--;
            ShootPage(pmap, pve.Va);
            ShootWait();
            SyncFlags(page, opte);
            ptp.WireCount--;
            if (_teardown == Amd64Teardown.Sparse)
                Probes[PmapProbes.SparsePageRemove]++;
            if (!_summaryStale)
                ptp.Unmark(index);
            _tracking.Removed(page, pmap, pve.Va);
            if (ptp.WireCount <= 1)
                FreePtp(pmap, ptp);
        }
        FreeQueuedPtps();
    }
}
