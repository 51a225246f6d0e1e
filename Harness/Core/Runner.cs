using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>The first difference between the reference and an implementation in one op sequence.</summary>
public sealed record Divergence(
    int Step,
    int Steps,
    string Op,
    string Implementation,
    string Kind,
    string? ReferenceOutcome,
    string? ImplementationOutcome,
    string Detail
)
{
    /// <summary>The report printed for a counterexample: step, op, both outcomes, then the detail.</summary>
    public string Report()
    {
        var sb = new StringBuilder();
        sb.Append($"divergence at step {Step} of {Steps}: {Op}\n");
        sb.Append($"  {Kind}\n");
        if (ReferenceOutcome is not null)
            sb.Append(
                $"  reference: {ReferenceOutcome}    implementation ({Implementation}): {ImplementationOutcome}\n"
            );
        foreach (var line in Detail.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            sb.Append("  ").Append(line).Append('\n');
        return sb.ToString();
    }
}

/// <summary>What one worker's runner did: sequences, ops, and per op kind how many ran, slept and panicked.</summary>
/// <summary>
/// A runner's counts. <see cref="ApplyTicks"/> times each side's <c>Apply</c> on every
/// <see cref="Differential{TOp}.TimingPeriod"/>-th op (<see cref="TimedOps"/> of them), reference first, so
/// that a campaign can say how fast each implementation runs the ops without timing every op.
/// </summary>
public sealed class RunStats(int opKinds, IReadOnlyList<string> sideNames)
{
    public long Sequences;
    public long Ops;
    public readonly long[] OpsByKind = new long[opKinds];
    public readonly long[] SleptByKind = new long[opKinds];
    public readonly long[] PanicsByKind = new long[opKinds];
    public readonly IReadOnlyList<string> SideNames = sideNames;
    public readonly long[] ApplyTicks = new long[sideNames.Count];
    public long TimedOps;

    /// <summary>=> ops per second of <c>Apply</c> alone on side <paramref name="side"/>, from the timed ops</summary>
    public double ApplyRate(int side) =>
        ApplyTicks[side] == 0 ? 0 : TimedOps * (double)Stopwatch.Frequency / ApplyTicks[side];

    public void Add(RunStats other)
    {
        Sequences += other.Sequences;
        Ops += other.Ops;
        TimedOps += other.TimedOps;
        for (int i = 0; i < ApplyTicks.Length && i < other.ApplyTicks.Length; i++)
            ApplyTicks[i] += other.ApplyTicks[i];
        for (int i = 0; i < OpsByKind.Length; i++)
        {
            OpsByKind[i] += other.OpsByKind[i];
            SleptByKind[i] += other.SleptByKind[i];
            PanicsByKind[i] += other.PanicsByKind[i];
        }
    }
}

/// <summary>
/// The differential runner of one worker: the reference and every implementation, built once and reset
/// for each sequence. Each op goes to all of them; outcomes are compared; every side's invariants are
/// checked (those the op can have broken after every step, all of them every
/// <see cref="FullCheckPeriod"/> steps); fingerprints are compared after every step, and every
/// <see cref="FullCheckPeriod"/> steps each incremental fingerprint is checked against a full walk.
/// Full observations are rendered only to explain a fingerprint mismatch. A sampled sequence (one in
/// <see cref="TextCheckPeriod"/> of a campaign, the first included, and every replay, shrink and property
/// run) also gets all of that after its last step, and its final observations compared as text, so a
/// fingerprint that misses what the text shows is itself reported. The first difference ends the sequence.
/// </summary>
public sealed class Differential<TOp>
    where TOp : class
{
    /// <summary>Full invariants, full-walk fingerprints and full observations every this many steps.</summary>
    public const int FullCheckPeriod = 16;

    /// <summary>Each side's <c>Apply</c> is timed on every this many counted ops (a power of two).</summary>
    public const int TimingPeriod = 8;

    /// <summary>Campaign sequences fully checked after their last step and compared as text: one in this many.</summary>
    public const int TextCheckPeriod = 64;

    private readonly ILayer<TOp> _layer;
    private readonly ISide<TOp> _reference;

    /// <summary>An array, not a list interface: a foreach over an interface allocates an enumerator per step.</summary>
    private readonly ISide<TOp>[] _implementations;

    public Differential(ILayer<TOp> layer, FaultSet faults)
    {
        _layer = layer;
        Faults = faults;
        _reference = layer.CreateReference();
        _implementations = [.. layer.CreateImplementations(faults)];
        Stats = new RunStats(layer.OpKinds.Count, [_reference.Name, .. _implementations.Select(side => side.Name)]);
    }

    public FaultSet Faults { get; }

    public RunStats Stats { get; }

    public ISide<TOp> Reference => _reference;

    public IReadOnlyList<ISide<TOp>> Implementations => _implementations;

    /// <summary>
    /// Run one sequence from a reset world. => null when every side agreed at every step
    /// Never inlined: compiled on its own it gets tier-1 code with profile-guided devirtualization of the
    /// sides' calls, which it did not get inlined into the worker loop, a method that runs once and is
    /// compiled on stack replacement (perf: stub dispatch fell from 7.2% to 5.8% of a kernel campaign).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Divergence? Run(IReadOnlyList<TOp> ops, bool count = true)
    {
        _reference.Reset();
        foreach (var impl in _implementations)
            impl.Reset();
        if (count)
            Stats.Sequences++;
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            int step = i + 1;
            bool timed = count && (Stats.Ops & (TimingPeriod - 1)) == 0;
            long clock = timed ? Stopwatch.GetTimestamp() : 0;
            var expected = Step(_reference, op);
            if (timed)
            {
                clock = Lap(0, clock);
                Stats.TimedOps++;
            }
            if (count)
                Count(op, expected);
            for (int side = 0; side < _implementations.Length; side++)
            {
                var impl = _implementations[side];
                var actual = Step(impl, op);
                if (timed)
                    clock = Lap(side + 1, clock);
                if (actual != expected)
                    return At(step, ops, impl, "outcomes differ", expected, actual, "");
            }
            if (expected.IsFatal)
                return null;

            bool sampled = !count || (Stats.Sequences - 1) % TextCheckPeriod == 0;
            bool full = step % FullCheckPeriod == 0 || (step == ops.Count && sampled);
            if ((full ? _reference.CheckAllInvariants() : _reference.CheckInvariants()) is { } broken)
                return new Divergence(
                    step,
                    ops.Count,
                    op.ToString()!,
                    _reference.Name,
                    "reference invariant violated (a kernel behaviour or op contract the model breaks)",
                    null,
                    null,
                    broken
                );
            foreach (var impl in _implementations)
            {
                if ((full ? impl.CheckAllInvariants() : impl.CheckInvariants()) is { } violation)
                    return At(step, ops, impl, "invariant violated", expected, expected, violation);
            }
            bool text = step == ops.Count && sampled;
            if (CompareStates(step, ops, expected, full, text) is { } divergence)
                return divergence;
        }
        return null;
    }

    /// <summary>
    /// A side's <c>Apply</c>, with an exception it lets escape (a simulated structure found corrupt, an
    /// index out of range) turned into the kernel crash it stands for: a <c>Panic</c> outcome, so that it
    /// is a divergence that shrinks and replays like any other, not the end of the campaign.
    /// </summary>
    private static Outcome Step(ISide<TOp> side, TOp op)
    {
        try
        {
            return side.Apply(op);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Outcome.Panic($"crash: {e.GetType().Name}: {e.Message}");
        }
    }

    private long Lap(int side, long since)
    {
        long now = Stopwatch.GetTimestamp();
        Stats.ApplyTicks[side] += now - since;
        return now;
    }

    private Divergence? CompareStates(int step, IReadOnlyList<TOp> ops, Outcome expected, bool full, bool text)
    {
        ulong fingerprint = _reference.Fingerprint();
        if (full && _reference.FullFingerprint() != fingerprint)
            return At(step, ops, _reference, FingerprintBug(_reference), expected, expected, "");
        IReadOnlyList<string>? referenceText = null;
        foreach (var impl in _implementations)
        {
            ulong implFingerprint = impl.Fingerprint();
            if (full && impl.FullFingerprint() != implFingerprint)
                return At(step, ops, impl, FingerprintBug(impl), expected, expected, "");
            bool fingerprintsDiffer = implFingerprint != fingerprint;
            if (!fingerprintsDiffer && !text)
                continue;
            referenceText ??= _reference.Observe();
            if (Compare(_reference.Name, referenceText, impl) is { } diff)
            {
                string kind = fingerprintsDiffer
                    ? "observations differ"
                    : "observations differ under equal fingerprints (fingerprint bug)";
                return At(step, ops, impl, kind, expected, expected, diff);
            }
            if (fingerprintsDiffer)
                return At(
                    step,
                    ops,
                    impl,
                    "fingerprints differ under equal observations (fingerprint bug)",
                    expected,
                    expected,
                    ""
                );
        }
        return null;
    }

    private static string FingerprintBug(ISide<TOp> side) =>
        $"incremental fingerprint of {side.Name} differs from its full walk (fingerprint bug)";

    private void Count(TOp op, Outcome outcome)
    {
        int kind = _layer.KindOf(op);
        Stats.Ops++;
        Stats.OpsByKind[kind]++;
        if (outcome.Sleeps != 0)
            Stats.SleptByKind[kind]++;
        if (outcome.Kind == OutcomeKind.Panic)
            Stats.PanicsByKind[kind]++;
    }

    private Divergence At(
        int step,
        IReadOnlyList<TOp> ops,
        ISide<TOp> impl,
        string kind,
        Outcome expected,
        Outcome actual,
        string detail
    ) =>
        new(
            step,
            ops.Count,
            ops[step - 1].ToString()!,
            impl.Name,
            kind,
            expected.Describe(_reference),
            actual.Describe(impl),
            detail
        );

    /// <summary>The probe counts of every implementation, summed.</summary>
    public void AddProbeCounts(long[] into)
    {
        foreach (var impl in _implementations)
        {
            var counts = impl.ProbeCounts;
            for (int i = 0; i < into.Length && i < counts.Length; i++)
                into[i] += counts[i];
        }
    }

    /// <summary>The unified diff of the reference's observation <paramref name="a"/> (rendered once per step) and an implementation's, or null when they are equal.</summary>
    private static string? Compare(string referenceName, IReadOnlyList<string> a, ISide<TOp> impl)
    {
        var b = impl.Observe();
        if (a.SequenceEqual(b))
            return null;
        return UnifiedDiff.Create(Join(a), Join(b), referenceName, impl.Name, context: 1);
    }

    public static string Join(IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }
}
