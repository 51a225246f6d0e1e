using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;
using static UvmDiff.Implementations.Pmap.Arm64.Arm64Pte;

namespace UvmDiff.Implementations.Pmap.Arm64;

public sealed partial class Arm64Pmap
{
    /// <summary>
    /// Exit. Sibling threads switch away; the exiting thread's CPU (if the pmap runs anywhere) keeps it
    /// until the teardown leaves it. 1.113 (9.3): pmap_purge (TTBR0 to the kernel table, both ASIDs
    /// flushed, pm_active 0), uvm_map_teardown (each wired entry unwired: every page pmap_extract finds in it, then
    /// pmap_remove of every VA of every entry, no flushes), the switch away, and in the reaper
    /// pmap_destroy (pmap_vp_destroy, pmap_free_asid). Seed 004 (see <see cref="Arm64Teardown.Seed004"/>).
    /// Another CPU's PV walk runs at its point when it needs only pv_mtx, and when the pmap lock is
    /// dropped when it needs that (page_protect NONE); the unlocked vp_destroy of the diff as posted
    /// lets every walk in at its point.
    /// </summary>
    public void Exit(int pmap, ReadOnlySpan<MapSpan> entries, PvWalk? interleaved)
    {
        Changes++;
        _counters = default;
        _walk = interleaved;
        _walkPoints = 0;
        _deferredWalk = false;
        int exitingCpu = Kernel;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_running[cpu] != pmap)
                continue;
            if (exitingCpu == Kernel)
                exitingCpu = cpu;
            else
                Deactivate(cpu);
        }
        _counting = true;
        if (_teardown == Arm64Teardown.Purge113)
        {
            Purge(pmap);
            UnwireEntries(pmap, entries);
            RemoveEntries(pmap, entries);
            if (exitingCpu != Kernel)
                Deactivate(exitingCpu);
            Destroy(pmap, destroyTables: true);
        }
        else
        {
            if (!_tablesBeforeUnwire)
                UnwireEntries(pmap, entries);
            if (exitingCpu != Kernel)
                Deactivate(exitingCpu);
            FlushAsid(_asid[pmap]);
            _active[pmap] = 0;
            VpDestroy(pmap);
            if (_tablesBeforeUnwire)
                UnwireEntries(pmap, entries);
            RemoveEntries(pmap, entries);
            Destroy(pmap, destroyTables: false);
        }
        _counting = false;
        if (_walk is not null)
            RunWalk();
    }

    private bool _deferredWalk;

    /// <summary>pmap_purge: TTBR0 to the kernel's table, both ASIDs flushed, pm_active 0.</summary>
    private void Purge(int pmap)
    {
        FlushAsid(_asid[pmap]);
        _active[pmap] = 0;
    }

    private void UnwireEntries(int pmap, ReadOnlySpan<MapSpan> entries)
    {
        bool counting = _counting;
        _counting = false;
        foreach (var entry in entries)
        {
            if (!entry.Wired)
                continue;
            for (ulong va = entry.Start; va < entry.End; va += PmapWorld.PageSize)
            {
                if (Extract(pmap, va) >= 0 && Unwire(pmap, va))
                    Probes[PmapProbes.ExitUnwire]++;
            }
        }
        _counting = counting;
    }

    private void RemoveEntries(int pmap, ReadOnlySpan<MapSpan> entries)
    {
        foreach (var entry in entries)
        {
            Remove(pmap, entry.Start, entry.End);
            RunDeferredWalk();
        }
    }

    private void RunWalkIfDue(bool lockHeld)
    {
        if (_walk is null || _walkPoints <= _walk.Point)
            return;
        if (lockHeld && _walk.Kind == PvWalkKind.ProtectNone)
            _deferredWalk = true;
        else
            RunWalk();
    }

    private void RunDeferredWalk()
    {
        if (_deferredWalk && _walk is not null)
            RunWalk();
        _deferredWalk = false;
    }

    private void RunWalk()
    {
        var walk = _walk!;
        _walk = null;
        bool counting = _counting;
        _counting = false;
        switch (walk.Kind)
        {
            case PvWalkKind.ClearReference:
                ClearReference(walk.Page);
                break;
            case PvWalkKind.ClearModify:
                ClearModify(walk.Page);
                break;
            case PvWalkKind.ProtectRead:
                PageProtect(walk.Page, Prot.Read);
                break;
            default:
                PageProtect(walk.Page, Prot.None);
                break;
        }
        _counting = counting;
    }

    /// <summary>pmap_destroy at refcount 0: pmap_release (pmap_vp_destroy in 1.113, nothing after seed 004's diff) and pmap_free_asid.</summary>
    private void Destroy(int pmap, bool destroyTables)
    {
        if (destroyTables)
            VpDestroy(pmap);
        if (_resident[pmap] != _residentDrift[pmap] || _wired[pmap] != 0)
            _statsAtDestroy[pmap] =
                $"pmap_destroy of pmap {pmap} with resident_count {_resident[pmap]} (ENOMEM drift {_residentDrift[pmap]}) and wired_count {_wired[pmap]}";
        FreeAsid(pmap);
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_curpm[cpu] == pmap)
                _curpm[cpu] = DeadPmap;
        }
        _alive[pmap] = false;
    }

    /// <summary>
    /// pmap_vp_destroy / pmap_vp_destroy_l2_l3: every vp3, vp2 and pted freed and the root NULLed. In
    /// 1.113 no pted remains by then. Seed 004 adds pmap_remove_pv for managed pteds; done right it
    /// runs under the pmap lock and takes each pted off its list before its slot or any table above it
    /// goes; as posted it NULLs the vp2 slot, then each pted's slot, then calls remove_pv, unlocked.
    /// The kernel's loops read all 512 slots of every table they visit, and the counters say so; the
    /// simulation visits only the slots each table ever had entered (<see cref="VpTable"/>): the rest are NULL.
    /// </summary>
    private void VpDestroy(int pmap)
    {
        var vp1 = _root[pmap]!;
        if (_counting)
            _counters.TableEntriesRead += 512;
        for (int j = vp1.Lowest; j <= vp1.Highest; j++)
        {
            var vp2 = vp1.Vp[j];
            if (vp2 is null)
                continue;
            if (_vpDestroyUnlocked)
                vp1.Vp[j] = null;
            if (_counting)
                _counters.TableEntriesRead += 512;
            for (int k = vp2.Lowest; k <= vp2.Highest; k++)
            {
                var vp3 = vp2.Vp[k];
                if (vp3 is null)
                    continue;
                if (_vpDestroyUnlocked)
                    vp2.Vp[k] = null;
                if (_counting)
                    _counters.PtesVisited += 512;
                for (int l = vp3.Lowest; l <= vp3.Highest; l++)
                {
                    var pted = vp3.Vp[l];
                    if (pted is null)
                        continue;
                    DestroyPted(vp3, l, pted);
                }
                vp2.Vp[k] = null;
                PutVp3(vp3);
                if (_counting)
                    _counters.TablePagesFreed++;
            }
            vp1.Vp[j] = null;
            PutVp2(vp2);
            if (_counting)
                _counters.TablePagesFreed++;
        }
        _root[pmap] = null;
        PutVp1(vp1);
        if (_counting)
            _counters.TablePagesFreed++;
        RunDeferredWalk();
    }

    private void DestroyPted(Vp3 vp3, int slot, PteDesc pted)
    {
        bool managed = (pted.PtedVa & Managed) != 0;
        if (managed)
            Probes[PmapProbes.VpDestroyPted]++;
        bool removePv = managed && _teardown == Arm64Teardown.Seed004 && !_noRemovePvInVpDestroy;
        if (_teardown == Arm64Teardown.Seed004 && pted.PtedPte != 0)
        {
            _resident[pted.Pmap]--;
            if ((pted.PtedVa & Wired) != 0)
                _wired[pted.Pmap]--;
        }
        if (_vpDestroyUnlocked)
        {
            Probes[PmapProbes.VpDestroySlot]++;
            vp3.Vp[slot] = null;
            _walkPoints++;
            RunWalkIfDue(lockHeld: false);
            if (removePv && pted.PtedPte != 0)
                RemovePv(pted);
        }
        else
        {
            if (removePv)
                RemovePv(pted);
            vp3.Vp[slot] = null;
            _walkPoints++;
            RunWalkIfDue(lockHeld: true);
        }
        if (!managed || removePv)
            _ptedPool.Push(pted);
    }

    public void Walk(IPmapFactSink sink)
    {
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
            sink.Cpu(cpu, _running[cpu]);
        Span<int> mapped = stackalloc int[PmapWorld.Pmaps];
        Span<int> wired = stackalloc int[PmapWorld.Pmaps];
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
            {
                sink.Pv(page, pted.Pmap, pted.Va);
                if (!_alive[pted.Pmap])
                    continue;
                bool isWired = (pted.PtedVa & Wired) != 0;
                mapped[pted.Pmap]++;
                if (isWired)
                    wired[pted.Pmap]++;
                sink.Mapping(pted.Pmap, pted.Va, page, GrantsByAllowed[pted.PtedVa & ProtMask], isWired);
            }
            sink.Page(page, (_flags[page] & RefFlag) != 0, (_flags[page] & ModFlag) != 0, _wireCount[page]);
        }
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
            sink.Pmap(pmap, _alive[pmap], mapped[pmap], wired[pmap]);
    }

    /// <summary>The next non-zero directory entry at or after <paramref name="from"/> (vectorised skip), or -1.</summary>
    /// <summary>=> a slot outside the range the table ever had entered whose PTE is not 0 (only pmap_vp_enter fills a slot), or null</summary>
    private static int? StrayPte(Vp3 vp3)
    {
        var l3 = vp3.L3.AsSpan();
        int below = Math.Min(vp3.Lowest, 512);
        int at = l3[..below].IndexOfAnyExcept(0UL);
        if (at >= 0)
            return at;
        int above = Math.Max(vp3.Highest + 1, below);
        at = l3[above..].IndexOfAnyExcept(0UL);
        return at >= 0 ? above + at : null;
    }

    private static int NextTable(ulong[] entries, int from)
    {
        if (from >= entries.Length)
            return -1;
        int skip = entries.AsSpan(from).IndexOfAnyExcept(0UL);
        return skip < 0 ? -1 : from + skip;
    }

    /// <summary>
    /// arm64's own invariants. Every step: a dead pmap has no tables, runs nowhere, no PV entry names it
    /// and no TLB entry translates for it; every PV pted is valid, MANAGED and in its vp slot; live
    /// pmaps of the current generation hold distinct ASIDs marked in the bitmap. Full: every slot pted is
    /// valid and on its page's list, every hardware PTE is 0 or the encoding of its pted's enabled bits
    /// (the slots a vp3 never had entered hold neither: their PTEs are read as one span),
    /// resident_count = valid pteds + ENOMEM drift, wired_count = WIRED pteds.
    /// </summary>
    public string? CheckInvariants(bool full)
    {
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            if (!_alive[pmap] && _root[pmap] is not null)
                return $"dead pmap {pmap} still has its vp tables";
            if (!_alive[pmap] && _statsAtDestroy[pmap] is { } stats)
                return stats;
        }
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_running[cpu] >= 0 && !_alive[_running[cpu]])
                return $"cpu {cpu} runs dead pmap {_running[cpu]}";
            for (int i = 0; i < TlbSize; i++)
            {
                ref var entry = ref _tlb[cpu * TlbSize + i];
                if (entry.Valid && entry.Incarnation == _incarnation[entry.Owner] && !_alive[entry.Owner])
                    return $"cpu {cpu}'s TLB still translates va 0x{entry.Vpn << 12:x} for dead pmap {entry.Owner}";
            }
        }
        int pvCount = 0;
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
            {
                pvCount++;
                if (!_alive[pted.Pmap])
                    return $"page {page}'s PV list holds a pted of dead pmap {pted.Pmap} (va 0x{pted.Va:x})";
                if (!Valid(pted) || (pted.PtedVa & Managed) == 0 || PageOf(pted) != page)
                    return $"page {page}'s PV pted for pmap {pted.Pmap} va 0x{pted.Va:x} is not a valid managed mapping of it";
                if (VpLookupQuiet(pted.Pmap, pted.Va, out _) != pted)
                    return $"page {page}'s PV pted for pmap {pted.Pmap} va 0x{pted.Va:x} is not in its vp slot";
            }
        }
        uint seen = 0;
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            if (!_alive[pmap] || (_asid[pmap] & ~AsidMask) != _asidGen)
                continue;
            int asid = (int)(_asid[pmap] & AsidMask);
            if ((seen & (1u << asid)) != 0 || (_asidBits & (3u << asid)) != 3u << asid)
                return $"pmap {pmap}'s ASID {asid} is shared or not reserved in generation {_asidGen >> 16}";
            seen |= 1u << asid;
        }
        if (!full)
            return null;
        int slots = 0;
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            if (!_alive[pmap])
                continue;
            long valid = 0,
                wired = 0;
            var vp1 = _root[pmap]!;
            for (int j = NextTable(vp1.L1, 0); j >= 0; j = NextTable(vp1.L1, j + 1))
            {
                if (vp1.Vp[j] is not { } vp2)
                    return $"pmap {pmap}: l1[{j}] = 0x{vp1.L1[j]:x} without a vp2";
                for (int k = NextTable(vp2.L2, 0); k >= 0; k = NextTable(vp2.L2, k + 1))
                {
                    if (vp2.Vp[k] is not { } vp3)
                        return $"pmap {pmap}: l2[{k}] = 0x{vp2.L2[k]:x} without a vp3";
                    if (StrayPte(vp3) is { } stray)
                        return $"pmap {pmap}: a PTE without a pted at l3 slot {stray}";
                    for (int l = vp3.Lowest; l <= vp3.Highest; l++)
                    {
                        if (vp3.Vp[l] is not { } pted)
                        {
                            if (vp3.L3[l] != 0)
                                return $"pmap {pmap}: a PTE without a pted at l3 slot {l}";
                            continue;
                        }
                        if (!Valid(pted) || pted.Pmap != pmap)
                            return $"pmap {pmap} va 0x{pted.Va:x}: a slot pted that is not a valid one of this pmap";
                        if (vp3.L3[l] != 0 && vp3.L3[l] != Encode(pted))
                            return $"pmap {pmap} va 0x{pted.Va:x}: PTE 0x{vp3.L3[l]:x} is not the encoding 0x{Encode(pted):x} of its enabled bits";
                        valid++;
                        if ((pted.PtedVa & Wired) != 0)
                            wired++;
                    }
                }
            }
            if (_resident[pmap] != valid + _residentDrift[pmap])
                return $"pmap {pmap}: resident_count {_resident[pmap]} != {valid} pteds + {_residentDrift[pmap]} ENOMEM drift";
            if (_wired[pmap] != wired)
                return $"pmap {pmap}: wired_count {_wired[pmap]} != {wired} WIRED pteds";
            slots += (int)valid;
        }
        return slots == pvCount ? null : $"{slots} slot pteds but {pvCount} PV entries";
    }
}
