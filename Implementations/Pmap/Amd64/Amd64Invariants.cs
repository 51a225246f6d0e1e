namespace UvmDiff.Implementations.Pmap.Amd64;

public sealed partial class Amd64Pmap
{
    /// <summary>
    /// amd64's own invariants. Every step: a dead pmap has no tables and runs on no CPU; the page
    /// tracking's own check (PV lists: every PV entry names a live pmap and a valid PTE of its page with
    /// PG_PVLIST in a live PTP of that pmap). Full: PTP wire counts are 1 + live entries, resident_count =
    /// PML4 + PTPs + PTEs, wired_count = PTEs with PG_W, every valid PTE has PG_PVLIST, no directory entry
    /// names a free page, each summary marks every live entry (amd64-sparse: exactly those), and the tracking
    /// accounts for every valid PTE (PV lists: exactly one PV entry each; seed 003: the reverse lookup
    /// reaches each).
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
        if (_tracking.Check(this) is { } tracking)
            return tracking;
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
        return _tracking.CheckAll(this, ptes);
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
            if (!table.Marked(i))
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

    /// <summary>Every valid managed PTE of every live pmap, added to its page's list.</summary>
    internal void CollectMappings(List<PageMapping>[] byPage)
    {
        for (int pmap = 0; pmap < _alive.Length; pmap++)
        {
            if (_alive[pmap])
                CollectMappings(_pml4[pmap]!, 0, pmap, byPage);
        }
    }

    /// <summary>
    /// Visits the entries the summary marks: every write of a live entry marks it (<see cref="Ptp.Zero"/>
    /// relies on the same), and the full check verifies it in every teardown mode. Scanning all 512 entries
    /// of every table was most of seed 003's per-step observation.
    /// </summary>
    private void CollectMappings(Ptp table, ulong vaBase, int pmap, List<PageMapping>[] byPage)
    {
        for (int word = 0; word < table.Summary.Length; word++)
        {
            for (ulong bits = table.Summary[word]; bits != 0; bits &= bits - 1)
            {
                int i = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                ulong entry = table.Entries[i];
                ulong va = vaBase | ((ulong)i << (12 + 9 * (table.Level - 1)));
                if ((entry & Pte.V) == 0)
                    continue;
                if (table.Level > 1)
                    CollectMappings(FrameAt(entry), va, pmap, byPage);
                else if ((entry & Pte.PvList) != 0)
                    byPage[PageOfPte(entry)].Add(new PageMapping(pmap, va, table));
            }
        }
    }

    private static int SummaryCount(Ptp table)
    {
        int count = 0;
        foreach (ulong word in table.Summary)
            count += System.Numerics.BitOperations.PopCount(word);
        return count;
    }
}
