using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>
/// One pmap machine driven by ops: the caller's preconditions (a live pmap, a dead slot for Exec) are
/// checked here from the machine's own answers, results become outcomes, panics the Panic outcome.
/// The fingerprint is a walk of the machine's facts into a multiset hash: the observed state is a few
/// dozen facts, so the walk is the incremental form too, and the full walk is the same walk.
/// </summary>
public sealed class PmapSide(string name, IPmapMachine machine, Func<long[]> probes) : ISide<PmapOp>
{
    private static readonly Outcome True = Outcome.Of(1, "true");
    private static readonly Outcome False = Outcome.Of(0, "false");
    private static readonly Outcome Fault = Outcome.Of(-1, "fault");
    private static readonly Outcome NoPage = Outcome.Of(-1, "none");
    private static readonly Outcome[] PageOutcomes = Outcome.PageOutcomes(PmapWorld.Pages);
    private readonly PmapHashObserver _hash = new();

    public string Name { get; } = name;

    public IPmapMachine Machine { get; } = machine;

    public long[] ProbeCounts => probes();

    public string LastSleeps => "";

    public void Reset() => Machine.Reset();

    public Outcome Apply(PmapOp op)
    {
        try
        {
            return Execute(op);
        }
        catch (KernelPanic panic)
        {
            return Outcome.Panic(panic.Message);
        }
        catch (SimulationLimit limit)
        {
            return Outcome.Hang(limit.Message);
        }
    }

    private Outcome Execute(PmapOp op)
    {
        var m = Machine;
        switch (op)
        {
            case Enter e:
                if (!m.IsAlive(e.Pmap))
                    return Outcome.Errno("EINVAL");
                return m.Enter(e.Pmap, e.Va, e.Page, e.Prot, e.Access, e.Wired, e.Fail) == 0
                    ? Outcome.Ok
                    : Outcome.Errno("ENOMEM");
            case Remove r:
                if (!m.IsAlive(r.Pmap))
                    return Outcome.Errno("EINVAL");
                m.Remove(r.Pmap, r.Sva, r.Eva);
                return Outcome.Ok;
            case Protect p:
                if (!m.IsAlive(p.Pmap))
                    return Outcome.Errno("EINVAL");
                m.Protect(p.Pmap, p.Sva, p.Eva, p.Prot);
                return Outcome.Ok;
            case PageProtect pp:
                m.PageProtect(pp.Page, pp.Prot);
                return Outcome.Ok;
            case Unwire u:
                if (!m.IsAlive(u.Pmap))
                    return Outcome.Errno("EINVAL");
                return m.Unwire(u.Pmap, u.Va) ? Outcome.Ok : Outcome.Errno("EINVAL");
            case Extract x:
                if (!m.IsAlive(x.Pmap))
                    return Outcome.Errno("EINVAL");
                int found = m.Extract(x.Pmap, x.Va);
                return found < 0 ? NoPage : PageOutcomes[found];
            case PageOp q:
                switch (q.Query)
                {
                    case PageQuery.IsReferenced:
                        return m.IsReferenced(q.Page) ? True : False;
                    case PageQuery.IsModified:
                        return m.IsModified(q.Page) ? True : False;
                    case PageQuery.ClearReference:
                        m.ClearReference(q.Page);
                        return Outcome.Ok;
                    default:
                        m.ClearModify(q.Page);
                        return Outcome.Ok;
                }
            case Activate a:
                if (!m.IsAlive(a.Pmap))
                    return Outcome.Errno("EINVAL");
                if (m.CurrentOn(a.Cpu) != IPmapMachine.NoPmap)
                    m.Deactivate(a.Cpu);
                m.Activate(a.Cpu, a.Pmap);
                return Outcome.Ok;
            case Deactivate d:
                if (m.CurrentOn(d.Cpu) == IPmapMachine.NoPmap)
                    return Outcome.Errno("EINVAL");
                m.Deactivate(d.Cpu);
                return Outcome.Ok;
            case Access acc:
                int reached = m.Access(acc.Cpu, acc.Va, acc.Kind);
                return reached switch
                {
                    IPmapMachine.NoProcess => Outcome.Errno("ESRCH"),
                    IPmapMachine.Fault => Fault,
                    _ => PageOutcomes[reached],
                };
            case Exit x:
                if (!m.IsAlive(x.Pmap))
                    return Outcome.Errno("EINVAL");
                m.Exit(x.Pmap, PmapWorld.Teardowns[x.Wired], x.Walk);
                return Outcome.Ok;
            case Exec x:
                if (m.IsAlive(x.Pmap))
                    return Outcome.Errno("EBUSY");
                m.Exec(x.Pmap);
                return Outcome.Ok;
            default:
                throw new ArgumentException($"not a pmap op: {op}");
        }
    }

    public string? CheckInvariants() => Machine.CheckInvariants(full: false);

    public string? CheckAllInvariants() => Machine.CheckInvariants(full: true);

    public ulong Fingerprint()
    {
        _hash.Sum = 0;
        Machine.Walk(_hash);
        return _hash.Sum;
    }

    public ulong FullFingerprint() => Fingerprint();

    public IReadOnlyList<string> Observe()
    {
        var text = new PmapTextObserver();
        Machine.Walk(text);
        return text.Lines;
    }
}
