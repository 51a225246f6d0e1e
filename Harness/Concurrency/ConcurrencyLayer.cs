using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// Seed 002 on two CPUs: each op is a program whose threads run concurrently on the stepped kernel before
/// and after the diff, under the schedule the op carries; the reference runs the same calls in every
/// sequential order, and a run must equal one of them. <see cref="Only"/> narrows it to one build, for
/// shrinking a failure of that build alone.
/// </summary>
public sealed class ConcurrencyLayer : ILayer<ConcurrentProgram>, IExplainsRuns<ConcurrentProgram>
{
    public static readonly ConcurrencyLayer Instance = new(before: true, after: true);

    private readonly bool _before;
    private readonly bool _after;

    private ConcurrencyLayer(bool before, bool after)
    {
        _before = before;
        _after = after;
    }

    /// <summary>The layer with one implementation: the stepped kernel after seed 002's diff, or before it.</summary>
    public static ConcurrencyLayer Only(bool afterDiff) => new(before: !afterDiff, after: afterDiff);

    public string Name => "concurrency";

    public ISide<ConcurrentProgram> CreateReference() => new ReferenceProgramSide();

    public IReadOnlyList<ISide<ConcurrentProgram>> CreateImplementations(FaultSet faults)
    {
        var sides = new List<ISide<ConcurrentProgram>>(2);
        if (_before)
            sides.Add(new SteppedProgramSide(afterDiff: false, faults));
        if (_after)
            sides.Add(new SteppedProgramSide(afterDiff: true, faults));
        return sides;
    }

    public ConcurrentProgram Parse(string line) => ProgramParser.Parse(line);

    public IReadOnlyList<string> OpKinds { get; } =
    ["Program (1 thread)", "Program (2 threads)", "Program (3 threads)"];

    public int KindOf(ConcurrentProgram op) => Math.Clamp(op.Threads.Count, 1, 3) - 1;

    public IReadOnlyList<string> Probes => ConcurrencyProbes.Names;

    public void Generate(ref Rng rng, int maxOps, List<ConcurrentProgram> into) =>
        ProgramGen.Sequence(ref rng, maxOps, into);

    /// <summary>The run on each implementation in two columns, one per CPU.</summary>
    public string Explain(ConcurrentProgram op, FaultSet faults) =>
        InterleavingView.Render(op, afterDiff: false, faults)
        + "\n"
        + InterleavingView.Render(op, afterDiff: true, faults);

    public IEnumerable<ConcurrentProgram[]> Shrink(ConcurrentProgram[] ops) => ProgramShrink.List(ops);
}
