namespace UvmDiff.Implementations.Pmap.Amd64;

public sealed partial class Amd64Pmap
{
    /// <summary>
    /// amd64's own invariants. Every step: a dead pmap has no tables, runs on no CPU and no PV entry
    /// names it; every PV entry names a valid PTE of its page with PG_PVLIST in a live PTP of its pmap.
    /// Full: PTP wire counts are 1 + live entries, resident_count = PML4 + PTPs + PTEs, wired_count =
    /// PTEs with PG_W, every valid PTE has PG_PVLIST and exactly one PV entry, no directory entry names a
    /// free page, and (amd64-sparse) each summary marks exactly the live entries.
    /// </summary>
    public string? CheckInvariants(bool full)
    {
        for (int pmap = 0; pmap < _alive.Length; pmap++)
        {
            if (!_alive[pmap] && _pml4[pmap] is not null)
                return $"dead pmap {pmap} still has its PML4";
            if (!_alive[pmap] && _statsAtDestroy[pmap] is { } stats)
                return stats;
        }
        for (int cpu = 0; cpu < _procPmap.Length; cpu++)
        {
            if (_procPmap[cpu] >= 0 && !_alive[_procPmap[cpu]])
                return $"cpu {cpu}'s ci_proc_pmap is dead pmap {_procPmap[cpu]}";
        }
        int pvCount = 0;
        for (int page = 0; page < _pv.Length; page++)
        {
            for (var pve = _pv[page]; pve is not null; pve = pve.Next)
            {
                pvCount++;
                if (!_alive[pve.Pmap])
                    return $"page {page}'s PV entry names dead pmap {pve.Pmap} (va 0x{pve.Va:x})";
                if (pve.Ptp is not { Free: false } ptp || ptp.Pmap != pve.Pmap || ptp.Level != 1)
                    return $"page {page}'s PV entry for pmap {pve.Pmap} va 0x{pve.Va:x} names a freed or foreign PTP";
                ulong pte = ptp.Entries[Pte.Index(pve.Va, 1)];
                if ((pte & Pte.V) == 0 || (pte & Pte.PvList) == 0 || PageOfPte(pte) != page)
                    return $"page {page}'s PV entry for pmap {pve.Pmap} va 0x{pve.Va:x} has PTE 0x{pte:x}";
            }
        }
        if (!full)
            return null;
        int ptes = 0;
        for (int pmap = 0; pmap < _alive.Length; pmap++)
        {
            if (!_alive[pmap])
                continue;
            long tables = 0,
                mapped = 0,
                wired = 0;
            if (CheckTable(_pml4[pmap]!, 0, ref tables, ref mapped, ref wired) is { } broken)
                return $"pmap {pmap}: {broken}";
            if (_resident[pmap] != tables + mapped)
                return $"pmap {pmap}: resident_count {_resident[pmap]} != {tables} table pages + {mapped} PTEs";
            if (_wired[pmap] != wired)
                return $"pmap {pmap}: wired_count {_wired[pmap]} != {wired} PTEs with PG_W";
            ptes += (int)mapped;
        }
        return ptes == pvCount ? null : $"{ptes} valid PTEs but {pvCount} PV entries";
    }

    private string? CheckTable(Ptp table, ulong vaBase, ref long tables, ref long mapped, ref long wired)
    {
        tables++;
        int live = 0;
        var entries = table.Entries.AsSpan();
        for (int i = 0; i < Pte.Entries; i++)
        {
            int skip = entries[i..].IndexOfAnyExcept(0UL);
            if (skip < 0)
                break;
            i += skip;
            ulong entry = entries[i];
            ulong va = vaBase | ((ulong)i << (12 + 9 * (table.Level - 1)));
            if ((entry & Pte.V) == 0)
                return $"level-{table.Level} table 0x{table.Frame:x}: stale non-valid entry 0x{entry:x} for va 0x{va:x}";
            if (_teardown == Amd64Teardown.Sparse && !table.Marked(i))
                return $"level-{table.Level} table 0x{table.Frame:x} entry {i}: live, but the summary says empty";
            live++;
            if (table.Level == 1)
            {
                mapped++;
                if ((entry & Pte.Wired) != 0)
                    wired++;
                if ((entry & Pte.PvList) == 0)
                    return $"PTE of va 0x{va:x} lacks PG_PVLIST";
                continue;
            }
            var child = FrameAt(entry);
            if (child.Free || child.Parent != table || child.ParentIndex != i)
                return $"directory entry for va 0x{va:x} names a free or foreign page";
            if (CheckTable(child, va, ref tables, ref mapped, ref wired) is { } broken)
                return broken;
        }
        if (_teardown == Amd64Teardown.Sparse && SummaryCount(table) != live)
            return $"level-{table.Level} table 0x{table.Frame:x}: the summary marks {SummaryCount(table)} entries, {live} are live";
        if (table.Level < 4 && table.WireCount != 1 + live)
            return $"level-{table.Level} PTP 0x{table.Frame:x}: wire_count {table.WireCount} != 1 + {live} live entries";
        return null;
    }

    private static int SummaryCount(Ptp table)
    {
        int count = 0;
        foreach (ulong word in table.Summary)
            count += System.Numerics.BitOperations.PopCount(word);
        return count;
    }
}
