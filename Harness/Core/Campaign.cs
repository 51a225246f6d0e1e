using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>How long and how hard to search.</summary>
public sealed record CampaignOptions(
    FaultSet Faults,
    ulong Seed,
    int MaxOps = 40,
    long? Cases = null,
    TimeSpan? Duration = null,
    int BatchSize = 250,
    int MaxShrinkRuns = 20_000,
    TimeSpan? ShrinkBudget = null
);

/// <summary>What a campaign found: nothing, or a shrunk counterexample with its divergence.</summary>
public sealed record CampaignResult<TOp>(
    RunStats Stats,
    TimeSpan Elapsed,
    TimeSpan ShrinkTime,
    ulong BatchSeed,
    TOp[]? Original,
    TOp[]? Shrunk,
    Divergence? Divergence
)
{
    public bool Diverged => Divergence is not null;
}

/// <summary>
/// Runs random op sequences through the differential runner in FsCheck batches, each with its own
/// seed derived from the campaign seed, until the case count or the time is used up or a sequence
/// diverges. FsCheck then shrinks; the shrink is bounded in runs and time, after which remaining
/// candidates are passed over so that FsCheck stops at the smallest case found so far.
/// </summary>
public static class Campaign
{
    private const ulong Gamma = 0x9e3779b97f4a7c15;

    public static CampaignResult<TOp> Run<TOp>(
        ILayer<TOp> layer,
        Arbitrary<TOp[]> ops,
        CampaignOptions options,
        Action<RunStats, TimeSpan>? progress = null
    )
        where TOp : class
    {
        var stats = new RunStats();
        var clock = Stopwatch.StartNew();
        var shrinkBudget = options.ShrinkBudget ?? TimeSpan.FromSeconds(20);
        for (long batch = 0; ; batch++)
        {
            long done = stats.Sequences;
            if (options.Cases is { } cases && done >= cases)
                break;
            if (options.Duration is { } duration && clock.Elapsed >= duration)
                break;
            if (options.Cases is null && options.Duration is null && batch > 0)
                break;
            int size = (int)Math.Min(options.BatchSize, (options.Cases ?? long.MaxValue) - done);
            ulong seed = SplitMix(SplitMix(options.Seed) + (ulong)batch);

            TOp[]? original = null,
                shrunk = null;
            Divergence? divergence = null;
            var shrinkClock = new Stopwatch();
            int shrinkRuns = 0;
            var property = Prop.ForAll(
                ops,
                sequence =>
                {
                    if (
                        original is not null
                        && (++shrinkRuns > options.MaxShrinkRuns || shrinkClock.Elapsed > shrinkBudget)
                    )
                        return true;
                    var found = Runner.Run(layer, sequence, options.Faults, original is null ? stats : null);
                    if (found is null)
                        return true;
                    if (original is null)
                    {
                        original = sequence;
                        shrinkClock.Start();
                    }
                    shrunk = sequence;
                    divergence = found;
                    return false;
                }
            );
            var config = Config.QuickThrowOnFailure.WithMaxTest(size).WithQuietOnSuccess(true).WithReplay(seed, Gamma);
            try
            {
                Check.One(config, property);
            }
            catch (Exception) when (divergence is not null) { }
            progress?.Invoke(stats, clock.Elapsed);
            if (divergence is not null)
                return new CampaignResult<TOp>(
                    stats,
                    clock.Elapsed,
                    shrinkClock.Elapsed,
                    seed,
                    original,
                    shrunk,
                    divergence
                );
        }
        return new CampaignResult<TOp>(stats, clock.Elapsed, TimeSpan.Zero, 0, null, null, null);
    }

    /// <summary>splitmix64: spreads consecutive batch numbers over unrelated seeds.</summary>
    public static ulong SplitMix(ulong x)
    {
        x += Gamma;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
        x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
        return x ^ (x >> 31);
    }
}
