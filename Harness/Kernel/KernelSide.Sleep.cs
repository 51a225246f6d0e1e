using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Kernel;

public sealed partial class KernelSide
{
    private string _lastSleeps = "";

    public string LastSleeps => _lastSleeps;

    /// <summary>
    /// The flush with the other CPU's ops hooked on its first sleep on another thread's page. => the
    /// flush's outcome with the sleep and the other ops' outcomes as its sleeps (none if it never slept
    /// so), or the first of those outcomes that is fatal (a fault that waits for memory forever)
    /// </summary>
    private Outcome Asleep(WhileAsleep op)
    {
        ulong sleeps = 0;
        string slept = "";
        Outcome? fatal = null;
        Machine.WhileAsleep = point =>
        {
            slept = $"{point.Wmesg} on file {point.Object.Id} @0x{point.Offset:x} while";
            sleeps = FactHash.Of(47, FactHash.OfText(point.Wmesg), point.Object.Id, point.Offset);
            foreach (var other in op.Then is { } then ? [op.During, then] : new[] { op.During })
            {
                var outcome = Interfere(op.Flush, other);
                slept += $" {other} => {outcome};";
                sleeps = FactHash.Mix(
                    sleeps ^ FactHash.Of(48, (long)outcome.Kind, outcome.Value, FactHash.OfText(outcome.Text ?? ""))
                );
                if (outcome.IsFatal)
                    fatal ??= outcome;
            }
        };
        Outcome result;
        try
        {
            result = Execute(op.Flush);
        }
        finally
        {
            Machine.WhileAsleep = null;
        }
        _lastSleeps = slept.TrimEnd(';');
        return fatal ?? (result.IsFatal ? result : result.WithSleeps(sleeps));
    }

    /// <summary>
    /// One op of the other CPU. => EDEADLK for an op of the process asleep in the flush, or a CPU access
    /// or switch that would run its thread: a process here has one thread, and it is the one asleep
    /// </summary>
    private Outcome Interfere(KernelOp flush, KernelOp op)
    {
        int sleeper = flush switch
        {
            ProcMsync m => m.Pid,
            ProcMadvise m => m.Pid,
            ProcMunmap u => u.Pid,
            _ => ((ProcExit)flush).Pid,
        };
        bool bySleeper = op switch
        {
            ProcMunmap u => u.Pid == sleeper,
            ProcExit e => e.Pid == sleeper,
            CpuSwitch s => s.Pid == sleeper,
            CpuAccess a => RunningOn(a.Cpu) == sleeper,
            _ => false,
        };
        return bySleeper ? Outcome.Errno("EDEADLK") : Execute(op);
    }

    private int RunningOn(int cpu)
    {
        var cpus = new CpuOwners();
        Machine.WalkPmap(cpus);
        return cpus.Current[cpu];
    }

    /// <summary>Which pmap each CPU runs, from a walk of the pmap.</summary>
    private sealed class CpuOwners : IPmapFactSink
    {
        public readonly int[] Current = [-1, -1];

        public void Cpu(int cpu, int pmap) => Current[cpu] = pmap;

        public void Pmap(int pmap, bool alive, int mapped, int wired) { }

        public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) { }

        public void Page(int page, bool referenced, bool modified, int wireCount) { }

        public void Pv(int page, int pmap, ulong va) { }
    }
}
