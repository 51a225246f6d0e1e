using System.Diagnostics;

namespace UvmDiff.Harness.Core;

/// <summary>How far shrinking may go: runs of the differential runner, and seconds.</summary>
public sealed record ShrinkLimits(int MaxRuns, TimeSpan MaxTime)
{
    public static readonly ShrinkLimits Default = new(20_000, TimeSpan.FromSeconds(20));
}

/// <summary>A shrunk counterexample, what it cost, and which bound stopped it early (null: it finished).</summary>
public sealed record ShrinkResult<TOp>(TOp[] Ops, Divergence Divergence, int Runs, TimeSpan Time, string? CutShort);

/// <summary>
/// Greedy shrinking over the layer's candidates: take the first smaller sequence that still diverges and
/// start over from it, until no candidate diverges or a bound is reached. The same loop FsCheck runs,
/// without its lazy trees, and with bounds that say when they cut it short.
/// </summary>
public static class Shrinker
{
    public static ShrinkResult<TOp> Shrink<TOp>(
        Differential<TOp> runner,
        ILayer<TOp> layer,
        TOp[] ops,
        Divergence divergence,
        ShrinkLimits limits,
        CancellationToken cancel = default
    )
        where TOp : class
    {
        var clock = Stopwatch.StartNew();
        int runs = 0;
        string? cutShort = null;
        bool progress = true;
        while (progress && cutShort is null)
        {
            progress = false;
            foreach (var candidate in layer.Shrink(ops))
            {
                cutShort =
                    runs >= limits.MaxRuns ? $"the bound of {limits.MaxRuns:N0} runs"
                    : clock.Elapsed >= limits.MaxTime ? $"the bound of {limits.MaxTime.TotalSeconds:0.#} s"
                    : cancel.IsCancellationRequested ? "the interruption"
                    : null;
                if (cutShort is not null)
                    break;
                runs++;
                if (runner.Run(candidate, count: false) is { } smaller)
                {
                    ops = candidate;
                    divergence = smaller;
                    progress = true;
                    break;
                }
            }
        }
        return new ShrinkResult<TOp>(ops, divergence, runs, clock.Elapsed, cutShort);
    }
}
