using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

public sealed partial class Amd64Pmap
{
    /// <summary>
    /// exit1 on amd64 (9.2): sibling threads leave their CPUs; the exiting thread keeps the pmap loaded
    /// while uvm_purge runs uvm_map_teardown: each wired entry is unwired through uvm_fault_unwire (every
    /// page pmap_extract finds in it), then
    /// each entry is removed (<see cref="Amd64Teardown.Kernel"/>: pmap_remove per entry;
    /// <see cref="Amd64Teardown.Sparse"/>: our summary-guided teardown); the thread switches away and
    /// pmap_destroy frees what tables remain. A PV walk of another CPU needs the pmap lock these hold,
    /// so it runs when the lock is dropped after the point it arrived at.
    /// </summary>
    public void Exit(int pmap, ReadOnlySpan<MapSpan> entries, PvWalk? interleaved)
    {
        Changes++;
        _counters = default;
        _walk = interleaved;
        _walkPoints = 0;
        int exitingCpu = IPmapMachine.NoPmap;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_procPmap[cpu] != pmap)
                continue;
            if (exitingCpu == IPmapMachine.NoPmap)
                exitingCpu = cpu;
            else
                Deactivate(cpu);
        }
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
        _counting = true;
        if (_teardown == Amd64Teardown.Kernel)
        {
            foreach (var entry in entries)
            {
                DoRemove(pmap, entry.Start, entry.End);
                RunWalkIfDue();
            }
        }
        else
        {
            SparseTeardown(pmap);
            RunWalkIfDue();
        }
        _counting = false;
        if (exitingCpu != IPmapMachine.NoPmap)
            Deactivate(exitingCpu);
        Destroy(pmap);
        if (_walk is not null)
            RunWalk();
    }

    private void RunWalkIfDue()
    {
        if (_walk is not null && _walkPoints > _walk.Point)
            RunWalk();
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

    /// <summary>
    /// amd64-sparse: from the PML4 down, visit only the entries the summaries mark live; remove each
    /// PTE (stats, U/M sync, PV entry), then free the tables bottom-up, then one full flush on the CPUs
    /// still running the pmap and, after the wait, the table pages.
    /// </summary>
    private void SparseTeardown(int pmap)
    {
        var pml4 = _pml4[pmap]!;
        _shootPmap = pmap;
        ForEachMarked(
            pml4,
            l3 =>
            {
                ForEachMarked(
                    l3,
                    l2 =>
                    {
                        ForEachMarked(
                            l2,
                            l1 =>
                            {
                                for (int w = 0; w < l1.Summary.Length; w++)
                                {
                                    for (ulong bits = l1.Summary[w]; bits != 0; bits &= bits - 1)
                                    {
                                        int index = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(bits);
                                        _counters.PtesVisited++;
                                        RemovePte(pmap, l1, VaOf(pml4, l3, l2, l1, index));
                                    }
                                }
                                Unhook(pmap, l1);
                            }
                        );
                        Unhook(pmap, l2);
                    }
                );
                Unhook(pmap, l3);
            }
        );
        _counters.Lookups++;
        ShootAll(pmap);
        ShootWait();
        FreeQueuedPtps();
    }

    private void ForEachMarked(Ptp table, Action<Ptp> visit)
    {
        for (int w = 0; w < table.Summary.Length; w++)
        {
            for (ulong bits = table.Summary[w]; bits != 0; bits &= bits - 1)
            {
                int index = w * 64 + System.Numerics.BitOperations.TrailingZeroCount(bits);
                _counters.TableEntriesRead++;
                visit(FrameAt(table.Entries[index]));
            }
        }
    }

    private static ulong VaOf(Ptp l4, Ptp l3, Ptp l2, Ptp l1, int index) =>
        ((ulong)l3.ParentIndex << 39)
        | ((ulong)l2.ParentIndex << 30)
        | ((ulong)l1.ParentIndex << 21)
        | ((ulong)index << 12);

    private void Unhook(int pmap, Ptp ptp)
    {
        var parent = ptp.Parent!;
        parent.Entries[ptp.ParentIndex] = 0;
        parent.Unmark(ptp.ParentIndex);
        parent.WireCount--;
        _resident[pmap]--;
        _freedPtps.Add(ptp);
        _counters.TablePagesFreed++;
    }

    /// <summary>
    /// pmap_destroy at refcount 0: frees the PTPs that remain and the PML4, without a shootdown (the
    /// pmap is inactive everywhere by now).
    /// </summary>
    private void Destroy(int pmap)
    {
        var pml4 = _pml4[pmap]!;
        long tables = 0,
            mapped = 0,
            wired = 0;
        CheckTable(pml4, 0, ref tables, ref mapped, ref wired);
        if (mapped != 0 || _wired[pmap] != 0)
            _statsAtDestroy[pmap] =
                $"pmap_destroy of pmap {pmap} with {mapped} PTEs left and wired_count {_wired[pmap]}";
        FreeTree(pml4);
        _pml4[pmap] = null;
        _resident[pmap] = 0;
        _alive[pmap] = false;
    }

    private void FreeTree(Ptp table)
    {
        if (table.Level > 1)
        {
            var entries = table.Entries.AsSpan();
            for (int i = 0; i < Pte.Entries; i++)
            {
                int skip = entries[i..].IndexOfAnyExcept(0UL);
                if (skip < 0)
                    break;
                i += skip;
                if ((entries[i] & Pte.V) != 0)
                    FreeTree(FrameAt(entries[i]));
            }
        }
        if (_counting)
            _counters.TablePagesFreed++;
        ReleaseFrame(table);
    }

    public void Walk(IPmapFactSink sink)
    {
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
            sink.Cpu(cpu, _procPmap[cpu]);
        Span<int> mapped = stackalloc int[PmapWorld.Pmaps];
        Span<int> wired = stackalloc int[PmapWorld.Pmaps];
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            int attrs = _attrs[page];
            foreach (var pve in _tracking.Observed(this, page))
            {
                ulong pte = pve.Ptp.Entries[Pte.Index(pve.Va, 1)];
                sink.Pv(page, pve.Pmap, pve.Va);
                if ((pte & Pte.V) == 0 || PageOfPte(pte) != page)
                    continue;
                mapped[pve.Pmap]++;
                if ((pte & Pte.Wired) != 0)
                    wired[pve.Pmap]++;
                var grants = Prot.Read;
                if ((pte & Pte.RW) != 0)
                    grants |= Prot.Write;
                if ((pte & Pte.NX) == 0)
                    grants |= Prot.Exec;
                sink.Mapping(pve.Pmap, pve.Va, page, grants, (pte & Pte.Wired) != 0);
                if ((pte & Pte.Accessed) != 0)
                    attrs |= RefAttr;
                if ((pte & Pte.Modified) != 0)
                    attrs |= ModAttr;
            }
            sink.Page(page, (attrs & RefAttr) != 0, (attrs & ModAttr) != 0, _wireCount[page]);
        }
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
            sink.Pmap(pmap, _alive[pmap], mapped[pmap], wired[pmap]);
    }
}
