using System.Text;

namespace UvmDiff.Harness.Core;

/// <summary>The first difference between the reference and an implementation in one op sequence.</summary>
public sealed record Divergence(
    int Step,
    int Steps,
    string Op,
    string Implementation,
    string Kind,
    Outcome? ReferenceOutcome,
    Outcome? ImplementationOutcome,
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

/// <summary>Counts what the runner did, for throughput figures.</summary>
public sealed class RunStats
{
    public long Sequences;
    public long Ops;
}

/// <summary>
/// The differential runner: apply each op to the reference and to every implementation, compare
/// outcomes, run every side's invariants, compare fingerprints every step and full observations
/// periodically (to catch fingerprint bugs), stop at the first difference.
/// </summary>
public static class Runner
{
    /// <summary>Full observations are compared every this many steps and after the last one.</summary>
    public const int ObservationPeriod = 16;

    public static Divergence? Run<TOp>(
        ILayer<TOp> layer,
        IReadOnlyList<TOp> ops,
        Implementations.FaultSet faults,
        RunStats? stats = null
    )
        where TOp : class
    {
        var reference = layer.CreateReference();
        var implementations = layer.CreateImplementations(faults);
        if (stats is not null)
            stats.Sequences++;
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            int step = i + 1;
            if (stats is not null)
                stats.Ops++;
            var expected = reference.Apply(op);
            foreach (var impl in implementations)
            {
                var actual = impl.Apply(op);
                if (actual != expected)
                    return new Divergence(
                        step,
                        ops.Count,
                        op.ToString()!,
                        impl.Name,
                        "outcomes differ",
                        expected,
                        actual,
                        ""
                    );
            }
            if (expected.IsFatal)
                return null;

            if (reference.CheckInvariants() is { } broken)
                return new Divergence(
                    step,
                    ops.Count,
                    op.ToString()!,
                    reference.Name,
                    "reference invariant violated (a kernel behaviour or op contract the model breaks)",
                    null,
                    null,
                    broken
                );
            foreach (var impl in implementations)
            {
                if (impl.CheckInvariants() is { } violation)
                    return new Divergence(
                        step,
                        ops.Count,
                        op.ToString()!,
                        impl.Name,
                        "invariant violated",
                        expected,
                        expected,
                        violation
                    );
            }

            ulong fingerprint = reference.Fingerprint();
            bool observe = step % ObservationPeriod == 0 || step == ops.Count;
            foreach (var impl in implementations)
            {
                bool fingerprintsDiffer = impl.Fingerprint() != fingerprint;
                if (!fingerprintsDiffer && !observe)
                    continue;
                if (Compare(reference, impl) is { } diff)
                {
                    string kind = fingerprintsDiffer
                        ? "observations differ"
                        : "observations differ under equal fingerprints (fingerprint bug)";
                    return new Divergence(step, ops.Count, op.ToString()!, impl.Name, kind, expected, expected, diff);
                }
                if (fingerprintsDiffer)
                    return new Divergence(
                        step,
                        ops.Count,
                        op.ToString()!,
                        impl.Name,
                        "fingerprints differ under equal observations (fingerprint bug)",
                        expected,
                        expected,
                        ""
                    );
            }
        }
        return null;
    }

    /// <summary>The unified diff of two sides' observations, or null when they are equal.</summary>
    public static string? Compare<TOp>(ISide<TOp> reference, ISide<TOp> impl)
    {
        var a = reference.Observe();
        var b = impl.Observe();
        if (a.SequenceEqual(b))
            return null;
        return UnifiedDiff.Create(Join(a), Join(b), reference.Name, impl.Name, context: 1);
    }

    public static string Join(IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }
}
