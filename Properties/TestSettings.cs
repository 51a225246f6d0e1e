using System.Globalization;
using UvmDiff.Harness.Core;

namespace UvmDiff.Properties;

/// <summary>
/// The one place test budgets and seeds come from. UVMDIFF_SEED replays a run of the random
/// properties (its failure message prints the seed); UVMDIFF_CASES scales them up for a longer run.
/// </summary>
public static class TestSettings
{
    /// <summary>Sequences per random property: about a second of work on one core.</summary>
    public const long DefaultCases = 20_000;

    /// <summary>Sequences a fault campaign may take before the fault counts as undetected.</summary>
    public const long FaultCases = 20_000;

    /// <summary>The longest shrunk counterexample a detected fault may leave.</summary>
    public const int MaxShrunkOps = 8;

    /// <summary>Fault campaigns use a fixed seed, so detection in CI is deterministic.</summary>
    public const ulong FaultSeed = 1;

    public static long Cases =>
        long.TryParse(
            Environment.GetEnvironmentVariable("UVMDIFF_CASES"),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out long n
        )
        && n > 0
            ? n
            : DefaultCases;

    public static ulong Seed =>
        ulong.TryParse(
            Environment.GetEnvironmentVariable("UVMDIFF_SEED"),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out ulong s
        )
            ? s
            : (ulong)Random.Shared.NextInt64();

    /// <summary>A counterexample as the failure message: seed, report, shrunk trace.</summary>
    public static string Explain<TOp>(CampaignResult<TOp> result, ulong seed) =>
        $"seed {seed} (replay with UVMDIFF_SEED={seed})\n{result.Divergence!.Report()}\nshrunk trace ({result.Shrunk!.Length} ops):\n"
        + string.Join("\n", result.Shrunk.Select(op => "  " + op));
}
