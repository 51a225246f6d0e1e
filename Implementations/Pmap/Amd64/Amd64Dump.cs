using System.Text;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

public sealed partial class Amd64Pmap : IPmapDump
{
    /// <summary>Every live pmap's tables (PTP frames and wire counts, PTEs with their bits), the PV lists and the TLBs.</summary>
    public IReadOnlyList<string> Dump()
    {
        var lines = new List<string>();
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            if (_pml4[pmap] is not { } pml4)
            {
                lines.Add($"pmap {pmap}: destroyed");
                continue;
            }
            lines.Add(
                $"pmap {pmap}: PML4 0x{pml4.Frame:x}, resident_count {_resident[pmap]}, wired_count {_wired[pmap]}"
            );
            DumpTable(lines, pml4, 0, "  ");
        }
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            string refAttr = (_attrs[page] & RefAttr) != 0 ? "REF" : "-";
            string modAttr = (_attrs[page] & ModAttr) != 0 ? "MOD" : "-";
            var sb = new StringBuilder($"page {page}: attrs {refAttr}|{modAttr}, pv");
            foreach (var pve in _tracking.Observed(this, page))
                sb.Append($" {{pmap {pve.Pmap}, va 0x{pve.Va:x}, ptp 0x{pve.Ptp.Frame:x}}}");
            lines.Add(sb.ToString());
        }
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            string current = _procPmap[cpu] < 0 ? "none" : $"pmap {_procPmap[cpu]}";
            var sb = new StringBuilder($"cpu {cpu}: ci_proc_pmap {current}, tlb");
            for (int i = 0; i < TlbSize; i++)
            {
                var entry = _tlb[cpu * TlbSize + i];
                if (entry.Table is not null)
                    sb.Append($" [va 0x{entry.Vpn << 12:x} -> {Bits(entry.Pte)}]");
            }
            lines.Add(sb.ToString());
        }
        lines.Add($"free table pages: {_freeFrames.Count}");
        return lines;
    }

    private void DumpTable(List<string> lines, Ptp table, ulong vaBase, string indent)
    {
        for (int i = 0; i < Pte.Entries; i++)
        {
            ulong entry = table.Entries[i];
            if (entry == 0)
                continue;
            ulong va = vaBase | ((ulong)i << (12 + 9 * (table.Level - 1)));
            if (table.Level == 1)
            {
                lines.Add($"{indent}L1[{i}] va 0x{va:x}: {Bits(entry)}");
                continue;
            }
            var child = FrameAt(entry);
            lines.Add(
                $"{indent}L{table.Level}[{i}] -> L{child.Level} PTP 0x{child.Frame:x}, wire_count {child.WireCount}"
            );
            DumpTable(lines, child, va, indent + "  ");
        }
    }

    private static string Bits(ulong pte)
    {
        var sb = new StringBuilder($"0x{pte & Pte.Frame:x}");
        (ulong Bit, string Name)[] names =
        [
            (Pte.V, "P"),
            (Pte.RW, "RW"),
            (Pte.User, "u"),
            (Pte.Accessed, "U"),
            (Pte.Modified, "M"),
            (Pte.Wired, "W"),
            (Pte.PvList, "PVLIST"),
            (Pte.NX, "NX"),
        ];
        foreach (var (bit, name) in names)
        {
            if ((pte & bit) != 0)
                sb.Append('|').Append(name);
        }
        return sb.ToString();
    }
}
