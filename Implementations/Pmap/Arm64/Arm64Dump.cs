using System.Text;
using UvmDiff.Spec.Pmap;
using static UvmDiff.Implementations.Pmap.Arm64.Arm64Pte;

namespace UvmDiff.Implementations.Pmap.Arm64;

public sealed partial class Arm64Pmap : IPmapDump
{
    /// <summary>Every live pmap's ASID, vp tables, descriptors and pteds; the PV lists; the TLBs; the ASID bitmap.</summary>
    public IReadOnlyList<string> Dump()
    {
        var lines = new List<string>();
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            string asid = $"asid {_asid[pmap] & AsidMask} gen {_asid[pmap] >> 16}";
            if (_root[pmap] is not { } vp1)
            {
                lines.Add(
                    $"pmap {pmap}: {(_alive[pmap] ? "no tables" : "destroyed")}, {asid}, pm_active {_active[pmap]}"
                );
                continue;
            }
            lines.Add(
                $"pmap {pmap}: vp1 0x{vp1.Frame:x}, {asid}, pm_active {_active[pmap]}, resident_count {_resident[pmap]}, wired_count {_wired[pmap]}"
            );
            for (int j = 0; j < 512; j++)
            {
                if (vp1.Vp[j] is not { } vp2)
                    continue;
                lines.Add($"  l1[{j}] = 0x{vp1.L1[j]:x} -> vp2 0x{vp2.Frame:x}");
                for (int k = 0; k < 512; k++)
                {
                    if (vp2.Vp[k] is not { } vp3)
                        continue;
                    lines.Add($"    l2[{k}] = 0x{vp2.L2[k]:x} -> vp3 0x{vp3.Frame:x}");
                    for (int l = 0; l < 512; l++)
                    {
                        if (vp3.Vp[l] is { } pted)
                            lines.Add(
                                $"      l3[{l}] = {Descriptor(vp3.L3[l])}; pted va 0x{pted.Va:x} allowed {ProtText.Of((Prot)(pted.PtedVa & ProtMask))}{Flags(pted)} enabled {ProtText.Of((Prot)(pted.PtedPte & ProtMask))}"
                            );
                    }
                }
            }
        }
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            var sb = new StringBuilder(
                $"page {page}: {((_flags[page] & RefFlag) != 0 ? "PG_PMAP_REF" : "-")}|{((_flags[page] & ModFlag) != 0 ? "PG_PMAP_MOD" : "-")}, pv"
            );
            for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
                sb.Append($" {{pmap {pted.Pmap}, va 0x{pted.Va:x}}}");
            lines.Add(sb.ToString());
        }
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            var sb = new StringBuilder($"cpu {cpu}: ci_curpm {Name(_curpm[cpu])}, running {Name(_running[cpu])}, tlb");
            for (int i = 0; i < TlbSize; i++)
            {
                var entry = _tlb[cpu * TlbSize + i];
                if (entry.Valid)
                    sb.Append($" [asid {entry.Asid} va 0x{entry.Vpn << 12:x} -> {Descriptor(entry.Pte)}]");
            }
            lines.Add(sb.ToString());
        }
        lines.Add($"pmap_asid bitmap 0x{_asidBits:x}, generation {_asidGen >> 16}");
        return lines;
    }

    private static string Name(int pmap) =>
        pmap == Kernel ? "kernel"
        : pmap == DeadPmap ? "freed"
        : $"pmap {pmap}";

    private static string Flags(PteDesc pted) =>
        ((pted.PtedVa & Managed) != 0 ? " MANAGED" : "") + ((pted.PtedVa & Wired) != 0 ? " WIRED" : "");

    private static string Descriptor(ulong pte)
    {
        if (pte == 0)
            return "0";
        var sb = new StringBuilder($"0x{pte & Rpgn:x} AP({(pte >> 6) & 3})");
        (ulong Bit, string Name)[] names = [(Af, "AF"), (NG, "nG"), (Uxn, "UXN"), (Pxn, "PXN"), (Gp, "GP")];
        foreach (var (bit, name) in names)
        {
            if ((pte & bit) != 0)
                sb.Append(' ').Append(name);
        }
        return sb.ToString();
    }
}
