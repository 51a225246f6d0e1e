using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;

namespace UvmDiff.Properties;

/// <summary>The one place test budgets, seeds and output paths come from.</summary>
public static class TestSettings
{
    /// <summary>Sequences per random differential property: about a second of work on one core.</summary>
    public const int Cases = 20_000;

    /// <summary>Sequences a fault campaign may take before the fault counts as undetected.</summary>
    public const long FaultCases = 20_000;

    /// <summary>The longest shrunk counterexample a detected fault may leave.</summary>
    public const int MaxShrunkOps = 8;

    /// <summary>Fault campaigns use a fixed seed, so detection in CI is deterministic.</summary>
    public const ulong FaultSeed = 1;

    /// <summary>Where a failing property leaves its trace: counterexamples/ at the top of the source tree.</summary>
    public static string CounterexampleFile(string property, [CallerFilePath] string source = "") =>
        Path.Combine(
            Path.GetDirectoryName(Path.GetDirectoryName(source))!,
            "counterexamples",
            $"property-{property}.trace"
        );

    /// <summary>A counterexample as the failure message: report, then the shrunk trace.</summary>
    public static string Explain<TOp>(Finding<TOp> finding)
        where TOp : class =>
        $"sequence {finding.Sequence} (seed {finding.SequenceSeed})\n{finding.Shrunk!.Divergence.Report()}\nshrunk trace ({finding.Shrunk.Ops.Length} ops):\n"
        + string.Join("\n", finding.Shrunk.Ops.Select(op => "  " + op));
}
