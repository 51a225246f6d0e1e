using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;
using static UvmDiff.Implementations.Pmap.Arm64.Arm64Pte;

namespace UvmDiff.Implementations.Pmap.Arm64;

public sealed partial class Arm64Pmap
{
    /// <summary>
    /// pmap_remove: every page VA of the range is looked up (no empty-table skip); a wired pted is unwired,
    /// a valid one removed. Counted as a change when it found a pted.
    /// </summary>
    public void Remove(int pmap, ulong sva, ulong eva)
    {
        if (_active[pmap] == 0 && ShortCircuits())
            return;
        for (ulong va = sva; va < eva; va += PmapWorld.PageSize)
        {
            var pted = VpLookup(pmap, va, out _);
            if (pted is null)
                continue;
            Changes++;
            if ((pted.PtedVa & Wired) != 0)
            {
                _wired[pmap]--;
                pted.PtedVa &= ~Wired;
            }
            if (Valid(pted))
            {
                RemovePted(pmap, pted);
                _walkPoints++;
                RunWalkIfDue(lockHeld: true);
            }
        }
    }

    /// <summary>The !pm_active short-circuit: part of seed 004's design, a fault when grafted onto 1.113.</summary>
    private bool ShortCircuits()
    {
        Probes[PmapProbes.ShortCircuit]++;
        return _teardown == Arm64Teardown.Seed004 || _shortCircuit;
    }

    /// <summary>pmap_protect: with READ or EXEC, pmap_page_ro on every page; otherwise pmap_remove (WRITE-only included).</summary>
    public void Protect(int pmap, ulong sva, ulong eva, Prot prot)
    {
        Changes++;
        if (_active[pmap] == 0 && ShortCircuits())
            return;
        if ((prot & (Prot.Read | Prot.Exec)) != 0)
        {
            for (ulong va = sva; va < eva; va += PmapWorld.PageSize)
                PageRo(pmap, va, prot);
            return;
        }
        Remove(pmap, sva, eva);
    }

    /// <summary>pmap_page_ro: WRITE off in allowed and enabled bits, READ and EXEC off unless requested, PTE rewritten, flushed.</summary>
    private void PageRo(int pmap, ulong va, Prot prot)
    {
        var pted = VpLookup(pmap, va, out var vp3);
        if (pted is null || !Valid(pted) || vp3 is null)
            return;
        ulong clear = (ulong)Prot.Write;
        if ((prot & Prot.Read) == 0)
            clear |= (ulong)Prot.Read;
        if ((prot & Prot.Exec) == 0)
            clear |= (ulong)Prot.Exec;
        pted.PtedVa &= ~clear;
        pted.PtedPte &= ~clear;
        vp3.L3[Idx3(va)] = Encode(pted);
        Probes[PmapProbes.PageRoFlush]++;
        if (!_pageRoNoFlush)
            TtlbFlush(pmap, va);
    }

    /// <summary>pmap_page_protect: READ is pmap_page_ro on every PV mapping (no pmap lock); NONE removes each under its pmap's lock.</summary>
    public void PageProtect(int page, Prot prot)
    {
        Changes++;
        K.Kassert(prot is Prot.None or Prot.Read, "prot == PROT_NONE || prot == PROT_READ");
        if (prot != Prot.None)
        {
            for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
                PageRo(pted.Pmap, pted.Va, prot);
            return;
        }
        while (_pv[page] is { } first)
            RemovePted(first.Pmap, first);
    }

    /// <summary>
    /// uvm_fault_unwire of one page: pmap_extract; pmap_unwire clears PTED_VA_WIRED_M and drops
    /// wired_count only where the bit is set (pmap_enter's early return on an unchanged mapping leaves
    /// it clear under an mlocked page); uvm_pageunwire drops the page's wire count either way. A page
    /// that is not wired is refused before any of it.
    /// </summary>
    public bool Unwire(int pmap, ulong va)
    {
        Changes++;
        var pted = VpLookup(pmap, va, out _);
        if (pted is null || !Valid(pted))
            return true;
        int page = PageOf(pted);
        if (_wireCount[page] == 0)
            return false;
        if ((pted.PtedVa & Wired) != 0)
        {
            _wired[pmap]--;
            pted.PtedVa &= ~Wired;
        }
        else
        {
            Probes[PmapProbes.UnwireUnwiredPted]++;
            if (_unwireOnlyWired)
                return false;
        }
        _wireCount[page]--;
        return true;
    }

    /// <summary>cpu_switchto's pmap_setttb: a new ASID when the generation is stale, TTBR0 and ci_curpm set.</summary>
    public void Activate(int cpu, int pmap)
    {
        Changes++;
        CpuChanges++;
        if ((_asid[pmap] & ~AsidMask) != _asidGen)
            AllocateAsid(pmap);
        _curpm[cpu] = pmap;
        _running[cpu] = pmap;
    }

    /// <summary>A switch to a kernel thread: pmap_setttb(pmap_kernel()).</summary>
    public void Deactivate(int cpu)
    {
        Changes++;
        CpuChanges++;
        _curpm[cpu] = Kernel;
        _running[cpu] = Kernel;
    }

    /// <summary>pmap_find_asid: the old ASID if free, else the first free even ASID below pmap_nasid; -1 when none.</summary>
    private int FindAsid(int pmap)
    {
        int asid = (int)(_asid[pmap] & AsidMask);
        if (asid < Nasid && (_asidBits & (3u << asid)) == 0)
            return asid;
        for (asid = 0; asid < Nasid; asid += 2)
        {
            if ((_asidBits & (3u << asid)) == 0)
                return asid;
        }
        return -1;
    }

    /// <summary>pmap_rollover_asid: a new generation; every CPU's ci_curpm keeps its ASID; every TLB flushed.</summary>
    private int RolloverAsid(int pmap)
    {
        Probes[PmapProbes.AsidRollover]++;
        _asidGen += MaxNasid;
        _asidBits = 3;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            int cur = _curpm[cpu];
            if (cur < 0)
                continue;
            ulong asid = _asid[cur] & AsidMask;
            _asid[cur] = asid | _asidGen;
            _asidBits |= 3u << (int)asid;
        }
        if (!_rolloverNoFlush)
            Array.Clear(_tlb);
        if ((_asid[pmap] & ~AsidMask) == _asidGen)
            return (int)(_asid[pmap] & AsidMask);
        return FindAsid(pmap);
    }

    private void AllocateAsid(int pmap)
    {
        int asid = FindAsid(pmap);
        if (asid == -1)
            asid = RolloverAsid(pmap);
        K.Kassert(asid > 0 && asid < Nasid, "asid > 0 && asid < pmap_nasid");
        _asidBits |= 3u << asid;
        _asid[pmap] = (ulong)(uint)asid | _asidGen;
    }

    /// <summary>pmap_free_asid: both ASIDs flushed, the pair returned if it is of this generation.</summary>
    private void FreeAsid(int pmap)
    {
        FlushAsid(_asid[pmap]);
        if ((_asid[pmap] & ~AsidMask) == _asidGen)
            _asidBits &= ~(3u << (int)(_asid[pmap] & AsidMask));
    }

    /// <summary>
    /// A user access under the ASID pair's user half: a TLB hit that allows it answers; otherwise the
    /// walk of the TTBR0 tables; a translation, access-flag or permission fault goes to
    /// pmap_fault_fixup and, when that changed the pted, the access is retried once.
    /// </summary>
    public int Access(int cpu, ulong va, Prot access)
    {
        int pmap = _running[cpu];
        if (pmap == Kernel)
            return IPmapMachine.NoProcess;
        ulong asid = (_asid[pmap] & AsidMask) | AsidUser;
        ulong vpn = va >> PmapWorld.PageShift;
        for (int i = 0; i < TlbSize; i++)
        {
            ref var entry = ref _tlb[cpu * TlbSize + i];
            if (!entry.Valid || entry.Vpn != vpn || entry.Asid != asid)
                continue;
            if (HardwareAllows(entry.Pte, access))
                return PageOfPa(entry.Pte & Rpgn);
            entry.Valid = false;
        }
        for (int attempt = 0; attempt < 2; attempt++)
        {
            ulong pte = Walk(pmap, va);
            if (HardwareAllows(pte, access))
            {
                int slot = _tlbNext[cpu];
                _tlbNext[cpu] = (slot + 1) % TlbSize;
                _tlb[cpu * TlbSize + slot] = new TlbEntry
                {
                    Valid = true,
                    Vpn = vpn,
                    Asid = asid,
                    Pte = pte,
                    Owner = pmap,
                    Incarnation = _incarnation[pmap],
                };
                return PageOfPa(pte & Rpgn);
            }
            if (attempt != 0 || !FaultFixup(pmap, va, access))
                break;
            Changes++;
        }
        return IPmapMachine.Fault;
    }

    /// <summary>The hardware table walk through the descriptors: 0 when a level is invalid.</summary>
    private ulong Walk(int pmap, ulong va)
    {
        var vp1 = _root[pmap];
        if (vp1 is null || (vp1.L1[Idx1(va)] & LxTypePt) != LxTypePt)
            return 0;
        var vp2 = vp1.Vp[Idx1(va)]!;
        if ((vp2.L2[Idx2(va)] & LxTypePt) != LxTypePt)
            return 0;
        return vp2.Vp[Idx2(va)]!.L3[Idx3(va)];
    }
}
