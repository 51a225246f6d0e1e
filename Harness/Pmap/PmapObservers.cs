using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>Facts as canonical text lines, sorted, so machines that walk in different orders agree.</summary>
public sealed class PmapTextObserver : IPmapFactSink
{
    private readonly List<string> _lines = [];
    private readonly Dictionary<int, List<(int Pmap, ulong Va)>> _pv = [];

    public void Cpu(int cpu, int pmap) =>
        _lines.Add($"cpu {cpu}: {(pmap == IPmapMachine.NoPmap ? "kernel" : "pmap " + pmap)}");

    public void Pmap(int pmap, bool alive, int mapped, int wired) =>
        _lines.Add($"pmap {pmap}: {(alive ? "alive" : "dead")}, {mapped} mapped, {wired} wired");

    public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) =>
        _lines.Add($"pmap {pmap} va 0x{va:x12}: page {page} {ProtText.Of(grants)}{(wired ? " wired" : "")}");

    public void Page(int page, bool referenced, bool modified, int wireCount) =>
        _lines.Add($"page {page}: {(referenced ? "ref" : "unref")} {(modified ? "mod" : "clean")} wire {wireCount}");

    public void Pv(int page, int pmap, ulong va)
    {
        if (!_pv.TryGetValue(page, out var list))
            _pv[page] = list = [];
        list.Add((pmap, va));
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            var lines = new List<string>(_lines);
            foreach (var (page, list) in _pv)
            {
                list.Sort();
                lines.Add($"page {page} pv: {string.Join(", ", list.Select(e => $"pmap {e.Pmap} 0x{e.Va:x}"))}");
            }
            lines.Sort(StringComparer.Ordinal);
            return lines;
        }
    }
}

/// <summary>
/// The fingerprint: a multiset hash of the same facts <see cref="PmapTextObserver"/> prints, so walk
/// order does not matter. Allocates nothing.
/// </summary>
public sealed class PmapHashObserver : IPmapFactSink
{
    public ulong Sum;

    public void Cpu(int cpu, int pmap) => Sum += FactHash.Of(1, cpu, pmap);

    public void Pmap(int pmap, bool alive, int mapped, int wired) =>
        Sum += FactHash.Of(2, pmap, alive ? 1 : 0, mapped, wired);

    public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) =>
        Sum += FactHash.Of(3, pmap, (long)va, page, (long)grants, wired ? 1 : 0);

    public void Page(int page, bool referenced, bool modified, int wireCount) =>
        Sum += FactHash.Of(4, page, referenced ? 1 : 0, modified ? 1 : 0, wireCount);

    public void Pv(int page, int pmap, ulong va) => Sum += FactHash.Of(5, page, pmap, (long)va);
}
