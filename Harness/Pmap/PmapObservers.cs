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
/// order does not matter. Each fact's fields are spread by distinct odd multipliers and finished by one
/// splitmix round (a fact is at most a few small fields, so one round mixes them fully). Allocates nothing.
/// <c>cpus</c> false leaves the CPUs' facts out of <see cref="Sum"/>, for a sum kept across CPU switches.
/// </summary>
public sealed class PmapHashObserver(bool cpus = true) : IPmapFactSink
{
    public ulong Sum;

    private static ulong Fact(ulong kind, ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0) =>
        FactHash.Mix(
            kind * 0x9e3779b97f4a7c15
                ^ a * 0xc2b2ae3d27d4eb4f
                ^ b * 0x165667b19e3779f9
                ^ c * 0xd6e8feb86659fd93
                ^ d * 0xff51afd7ed558ccd
                ^ e * 0xc4ceb9fe1a85ec53
        );

    /// <summary>The hash of CPU <paramref name="cpu"/>'s fact, for a sum kept without the CPUs (<c>cpus</c> false).</summary>
    public static ulong CpuFact(int cpu, int pmap) => Fact(1, (ulong)cpu, (ulong)(pmap + 1));

    public void Cpu(int cpu, int pmap)
    {
        if (cpus)
            Sum += CpuFact(cpu, pmap);
    }

    public void Pmap(int pmap, bool alive, int mapped, int wired) =>
        Sum += Fact(2, (ulong)pmap, alive ? 1UL : 0, (ulong)mapped, (ulong)wired);

    public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) =>
        Sum += Fact(3, (ulong)pmap, va, (ulong)page, (ulong)grants, wired ? 1UL : 0);

    public void Page(int page, bool referenced, bool modified, int wireCount) =>
        Sum += Fact(4, (ulong)page, referenced ? 1UL : 0, modified ? 1UL : 0, (ulong)wireCount);

    public void Pv(int page, int pmap, ulong va) => Sum += Fact(5, (ulong)page, (ulong)pmap, va);
}
