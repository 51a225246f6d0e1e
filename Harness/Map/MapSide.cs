using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>One machine of the map layer driven by ops: the reference or an implementation.</summary>
public sealed class MapSide(
    string name,
    IVmMapMachine machine,
    IReadOnlyList<MapOp>? prelude = null,
    long[]? probes = null,
    bool visible = false,
    bool table = false
) : ISide<MapOp>
{
    private readonly MapFactSum _facts = new();
    private readonly VisibleObserver _visible = new();

    /// <summary>Compared on the process-visible observation (<see cref="VisibleObserver"/>) instead of entry by entry.</summary>
    public bool Visible { get; } = visible;

    public string Name { get; } = name;

    public IVmMapMachine Machine { get; } = machine;

    public long[] ProbeCounts { get; } = probes ?? new long[Implementations.Map.MapProbes.Names.Count];

    public string LastSleeps => "";

    /// <summary>The empty map, then the ops of <paramref name="prelude"/> (a /proc/PID/maps capture).</summary>
    public void Reset()
    {
        if (_saved is not null && Machine is ReferenceMap restored)
        {
            restored.Map.CopyFrom(_saved);
            return;
        }
        Machine.Reset();
        if (prelude is null)
            return;
        foreach (var op in prelude)
            Apply(op);
        if (Machine is ReferenceMap reference)
        {
            _saved = new VmMap();
            _saved.CopyFrom(reference.Map);
        }
    }

    /// <summary>The reference after the prelude, restored instead of rebuilt (the sorted list makes rebuilding quadratic).</summary>
    private VmMap? _saved;

    public Outcome Apply(MapOp op)
    {
        try
        {
            return Execute(op);
        }
        catch (KernelPanic panic)
        {
            return Outcome.Panic(panic.Message);
        }
    }

    private Outcome Execute(MapOp op)
    {
        switch (op)
        {
            case Mmap m:
                return Outcome.Status(Machine.MapFixed(m.Addr, m.Size, m.Prot, m.Max, m.Kind, m.Obj, m.Off));
            case MmapAny m:
                return Machine.MapAnywhere(m.Size, m.Prot, m.Max, m.Kind, m.Obj, m.Off, out ulong addr) is { } error
                    ? Outcome.Errno(error)
                    : Outcome.Of((long)addr, "0x" + addr.ToString("x"));
            case Munmap u:
                return Outcome.Status(Machine.Unmap(u.Addr, u.Size));
            case Mprotect p:
                return Outcome.Status(Machine.Protect(p.Addr, p.End, p.Prot));
            case Minherit i:
                return Outcome.Status(Machine.SetInherit(i.Addr, i.End, i.Inherit));
            case Mimmutable i:
                return Outcome.Status(Machine.Immutable(i.Addr, i.End));
            case Madvise a:
                return Outcome.Status(Machine.Advise(a.Addr, a.End, a.Advice));
            case Mlock l:
                return Outcome.Status(Machine.Pageable(l.Addr, l.End, unwire: false));
            case Munlock l:
                return Outcome.Status(Machine.Pageable(l.Addr, l.End, unwire: true));
            case Fault f:
                return Outcome.Status(Machine.Fault(f.Addr, f.Write ? Prot.W : Prot.R));
            default:
                throw new ArgumentException($"not a map-layer op: {op}");
        }
    }

    public string? CheckInvariants() => Machine.Check();

    public string? CheckAllInvariants() => Machine.Check();

    public ulong Fingerprint() => Visible ? FullFingerprint() : Machine.Fingerprint();

    public ulong FullFingerprint()
    {
        if (Visible)
        {
            _visible.Begin();
            Machine.Walk(_visible);
            return _visible.Fingerprint();
        }
        _facts.Begin();
        Machine.Walk(_facts);
        return _facts.Sum;
    }

    public IReadOnlyList<string> Observe()
    {
        if (table)
        {
            var lines = new List<string>(MapTable.Render(Machine).TrimEnd('\n').Split('\n'));
            var rest = new MapTextObserver();
            Machine.Walk(rest);
            lines.AddRange(rest.Lines().Where(line => !line.StartsWith("0x", StringComparison.Ordinal)));
            return lines;
        }
        if (Visible)
        {
            _visible.Begin();
            Machine.Walk(_visible);
            return _visible.Lines();
        }
        var text = new MapTextObserver();
        Machine.Walk(text);
        return text.Lines();
    }
}
