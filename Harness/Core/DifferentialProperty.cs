using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>
/// How far FsCheck may shrink one failure: counted from the first failing case, shared by every
/// candidate shrunk from it. Once spent, candidates pass, so FsCheck stops at the smallest failure so far.
/// </summary>
public sealed class ShrinkBudget(ShrinkLimits limits)
{
    private readonly Stopwatch _clock = new();
    private int _runs;

    public bool Spent => _clock.IsRunning && (_runs >= limits.MaxRuns || _clock.Elapsed >= limits.MaxTime);

    public void Spend()
    {
        if (!_clock.IsRunning)
            _clock.Start();
        else
            _runs++;
    }
}

/// <summary>An op sequence as FsCheck holds it: printed one op per line, so FsCheck's report is a trace.</summary>
public sealed class Sequence<TOp>(TOp[] ops, ShrinkBudget budget)
    where TOp : class
{
    public TOp[] Ops { get; } = ops;

    public ShrinkBudget Budget { get; } = budget;

    public override string ToString() => "\n" + string.Concat(Ops.Select(op => $"  {op}\n"));
}

/// <summary>
/// The differential property for FsCheck.Xunit: sequences drawn by the layer's own generator from
/// FsCheck's random seeds and shrunk by the layer's shrinker, each run through a per-thread runner that
/// is reset, not rebuilt. A failure is labelled with the divergence report, and the failing trace is
/// written (replacing the previous failure of the same property) so the last one written is the shrunk
/// counterexample FsCheck prints.
/// </summary>
public static class DifferentialProperty
{
    public static Arbitrary<Sequence<TOp>> Arbitrary<TOp>(
        ILayer<TOp> layer,
        int maxOps = 40,
        ShrinkLimits? limits = null
    )
        where TOp : class
    {
        var seeds =
            from high in Gen.Choose(0, int.MaxValue)
            from low in Gen.Choose(0, int.MaxValue)
            select ((ulong)high << 32) ^ (ulong)low;
        var sequences = seeds.Select(seed =>
        {
            var rng = new Rng(seed);
            var ops = new List<TOp>(maxOps);
            layer.Generate(ref rng, maxOps, ops);
            return new Sequence<TOp>([.. ops], new ShrinkBudget(limits ?? ShrinkLimits.Default));
        });
        return Arb.From(
            sequences,
            sequence => layer.Shrink(sequence.Ops).Select(ops => new Sequence<TOp>(ops, sequence.Budget))
        );
    }

    /// <summary>
    /// The property: no divergence. => <paramref name="traceFile"/>, when given, receives every failing
    /// sequence as a trace, each replacing the last
    /// </summary>
    public static Property Holds<TOp>(ILayer<TOp> layer, FaultSet faults, Sequence<TOp> sequence, string? traceFile)
        where TOp : class
    {
        if (sequence.Budget.Spent)
            return true.Label("shrink budget spent");
        var divergence = Runners<TOp>.For(layer, faults).Run(sequence.Ops, count: false);
        if (divergence is null)
            return true.Label("");
        sequence.Budget.Spend();
        if (traceFile is not null)
            TraceFile.WriteReplacing(
                traceFile,
                TraceFile.Format(layer.Name, sequence.Ops, [$"implementation faults: {faults}", divergence.Report()])
            );
        return false.Label(divergence.Report());
    }

    /// <summary>One runner per thread, layer and fault set: properties reset machines instead of building them.</summary>
    private static class Runners<TOp>
        where TOp : class
    {
        private static readonly ThreadLocal<Dictionary<(ILayer<TOp>, FaultSet), Differential<TOp>>> PerThread = new(
            () =>
                []
        );

        public static Differential<TOp> For(ILayer<TOp> layer, FaultSet faults)
        {
            var cache = PerThread.Value!;
            if (!cache.TryGetValue((layer, faults), out var runner))
                cache[(layer, faults)] = runner = new Differential<TOp>(layer, faults);
            return runner;
        }
    }
}
