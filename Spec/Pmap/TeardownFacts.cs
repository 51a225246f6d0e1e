namespace UvmDiff.Spec.Pmap;

/// <summary>
/// The teardown invariants over a machine's facts: a dead pmap has no mappings and no PV entry names
/// it, no CPU runs a dead pmap, no page's wire count is negative. The reference walks itself into it
/// after every step; laws feed it broken facts directly.
/// </summary>
public sealed class TeardownFacts : IPmapFactSink
{
    private readonly bool[] _dead = new bool[PmapWorld.Pmaps];
    private readonly List<int> _running = [];
    private readonly List<(int Pmap, ulong Va)> _named = [];
    private string? _broken;

    /// <summary>Forget the facts of the last walk.</summary>
    public void Begin()
    {
        Array.Clear(_dead);
        _running.Clear();
        _named.Clear();
        _broken = null;
    }

    public void Cpu(int cpu, int pmap)
    {
        if (pmap != IPmapMachine.NoPmap)
            _running.Add(pmap);
    }

    public void Pmap(int pmap, bool alive, int mapped, int wired)
    {
        _dead[pmap] = !alive;
        if (!alive && mapped != 0)
            _broken ??= $"dead pmap {pmap} still has {mapped} mappings";
    }

    public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) { }

    public void Page(int page, bool referenced, bool modified, int wireCount)
    {
        if (wireCount < 0)
            _broken ??= $"page {page} wire count {wireCount}";
    }

    public void Pv(int page, int pmap, ulong va) => _named.Add((pmap, va));

    /// <summary>=> the first violation among the facts given, or null</summary>
    public string? Verdict()
    {
        foreach (int pmap in _running)
        {
            if (_dead[pmap])
                _broken ??= $"a CPU runs dead pmap {pmap}";
        }
        foreach (var (pmap, va) in _named)
        {
            if (_dead[pmap])
                _broken ??= $"a PV entry names dead pmap {pmap} (va 0x{va:x})";
        }
        return _broken;
    }
}
