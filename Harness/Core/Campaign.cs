using System.Diagnostics;
using UvmDiff.Implementations;
using UvmDiff.Spec.Kernel;

namespace UvmDiff.Harness.Core;

/// <summary>How long and how hard to search, on how many cores, and which share of the sequences.</summary>
public sealed record CampaignOptions(
    FaultSet Faults,
    ulong Seed,
    int MaxOps = 40,
    long? Cases = null,
    TimeSpan? Duration = null,
    int Workers = 1,
    int Shard = 0,
    int Shards = 1,
    bool KeepGoing = false,
    ShrinkLimits? Shrink = null
);

/// <summary>
/// One divergence a campaign found: sequence number and seed (the sequence is a pure function of the
/// seed), the ops as generated, the shrunk counterexample, and its signature. <see cref="Shrunk"/> is
/// null when an earlier finding of the same campaign had the same unshrunk signature: such a finding is
/// counted, not shrunk again.
/// </summary>
public sealed record Finding<TOp>(
    long Sequence,
    ulong SequenceSeed,
    TOp[] Original,
    Divergence Divergence,
    ShrinkResult<TOp>? Shrunk,
    string Signature
);

/// <summary>What one worker did and how long it searched.</summary>
public sealed record WorkerReport(int Worker, RunStats Stats, TimeSpan Searching);

/// <summary>A campaign's outcome: per-worker figures, probe counts, findings (the first by sequence number).</summary>
public sealed record CampaignResult<TOp>(
    IReadOnlyList<WorkerReport> Workers,
    RunStats Total,
    long[] Probes,
    TimeSpan Searching,
    IReadOnlyList<Finding<TOp>> Findings,
    bool Interrupted
)
{
    public Finding<TOp>? First => Findings.Count == 0 ? null : Findings[0];

    public bool Diverged => Findings.Count > 0;
}

/// <summary>
/// Random campaigns over every core. Sequence k of a campaign is generated from
/// <see cref="SequenceSeed"/>(seed, k) alone; shard i of n owns the k with k mod n = i, and within a shard
/// worker w of W takes every W-th of them. So a run is reproducible from its seed, shards split a campaign
/// with no coordination, and the union of the shards of a seed is exactly the unsharded run. Without
/// <see cref="CampaignOptions.KeepGoing"/> the campaign stops at the divergence with the lowest sequence
/// number (workers finish every lower number first, so the finding does not depend on timing); with it,
/// every divergence is shrunk (one per unshrunk signature) and handed over, and the search goes on.
/// </summary>
public static class Campaign
{
    private static readonly TimeSpan ProgressPeriod = TimeSpan.FromMilliseconds(250);

    public static ulong SequenceSeed(ulong campaignSeed, long sequence) =>
        FactHash.Mix(FactHash.Mix(campaignSeed) + (ulong)sequence * 0x9e3779b97f4a7c15);

    /// <summary>The sequence number worker <paramref name="worker"/> takes <paramref name="nth"/>.</summary>
    public static long SequenceNumber(CampaignOptions o, int worker, long nth) =>
        o.Shard + (long)o.Shards * (worker + (long)o.Workers * nth);

    public static TOp[] Generate<TOp>(ILayer<TOp> layer, ulong campaignSeed, long sequence, int maxOps)
        where TOp : class
    {
        var rng = new Rng(SequenceSeed(campaignSeed, sequence));
        var ops = new List<TOp>(maxOps);
        layer.Generate(ref rng, maxOps, ops);
        return [.. ops];
    }

    public static CampaignResult<TOp> Run<TOp>(
        ILayer<TOp> layer,
        CampaignOptions options,
        CancellationToken cancel = default,
        Action<RunStats, TimeSpan>? progress = null,
        Action<Finding<TOp>>? found = null
    )
        where TOp : class
    {
        if (options.Workers < 1 || options.Shards < 1 || options.Shard < 0 || options.Shard >= options.Shards)
            throw new ArgumentException("workers and shards must be positive, and the shard below the shard count");
        var search = new Search<TOp>(layer, options, cancel, found);
        var threads = new Thread[options.Workers];
        var clock = Stopwatch.StartNew();
        for (int w = 0; w < threads.Length; w++)
        {
            int worker = w;
            threads[w] = new Thread(() => search.Work(worker)) { IsBackground = true, Name = $"uvmdiff worker {w}" };
            threads[w].Start();
        }
        var next = ProgressPeriod;
        foreach (var thread in threads)
        {
            while (!thread.Join(50))
            {
                if (options.Duration is { } duration && clock.Elapsed >= duration)
                    search.TimeIsUp();
                if (progress is not null && clock.Elapsed >= next)
                {
                    next = clock.Elapsed + ProgressPeriod;
                    progress(search.Snapshot(), clock.Elapsed);
                }
            }
        }
        var searching = clock.Elapsed;
        if (search.FirstFound is { } first)
            search.ShrinkAndReport(first, cancel);
        var total = search.Snapshot();
        progress?.Invoke(total, searching);
        return new CampaignResult<TOp>(
            search.Reports,
            total,
            search.ProbeTotals(),
            searching,
            search.Findings,
            cancel.IsCancellationRequested
        );
    }

    /// <summary>The state the workers of one campaign share.</summary>
    private sealed class Search<TOp>(
        ILayer<TOp> layer,
        CampaignOptions options,
        CancellationToken cancel,
        Action<Finding<TOp>>? found
    )
        where TOp : class
    {
        private readonly object _lock = new();
        private readonly Differential<TOp>?[] _runners = new Differential<TOp>?[options.Workers];
        private readonly WorkerReport?[] _reports = new WorkerReport?[options.Workers];
        private readonly List<Finding<TOp>> _findings = [];
        private readonly Dictionary<string, string> _shrunkSignature = [];
        private volatile bool _timeIsUp;
        private long _stopAt = long.MaxValue;
        private (long Sequence, TOp[] Ops, Divergence Divergence)? _first;

        public (long Sequence, TOp[] Ops, Divergence Divergence)? FirstFound => _first;

        public IReadOnlyList<Finding<TOp>> Findings
        {
            get
            {
                lock (_lock)
                    return [.. _findings.OrderBy(f => f.Sequence)];
            }
        }

        public IReadOnlyList<WorkerReport> Reports => [.. _reports.Where(r => r is not null).Select(r => r!)];

        public void TimeIsUp() => _timeIsUp = true;

        public void Work(int worker)
        {
            var runner = new Differential<TOp>(layer, options.Faults);
            _runners[worker] = runner;
            var clock = Stopwatch.StartNew();
            var ops = new List<TOp>(options.MaxOps);
            for (long nth = 0; ; nth++)
            {
                long k = SequenceNumber(options, worker, nth);
                if (k >= (options.Cases ?? long.MaxValue) || k > Interlocked.Read(ref _stopAt))
                    break;
                if (cancel.IsCancellationRequested || (_timeIsUp && _stopAt == long.MaxValue))
                    break;
                var rng = new Rng(SequenceSeed(options.Seed, k));
                ops.Clear();
                layer.Generate(ref rng, options.MaxOps, ops);
                if (runner.Run(ops) is { } divergence)
                    Diverged(runner, k, [.. ops], divergence);
            }
            _reports[worker] = new WorkerReport(worker, runner.Stats, clock.Elapsed);
        }

        private void Diverged(Differential<TOp> runner, long k, TOp[] ops, Divergence divergence)
        {
            if (!options.KeepGoing)
            {
                lock (_lock)
                {
                    if (k < _stopAt)
                    {
                        _stopAt = k;
                        _first = (k, ops, divergence);
                    }
                }
                return;
            }
            string raw = Signatures.Of(layer, ops, divergence);
            string? known;
            lock (_lock)
                _shrunkSignature.TryGetValue(raw, out known);
            if (known is not null)
            {
                Add(new Finding<TOp>(k, SequenceSeed(options.Seed, k), ops, divergence, null, known));
                return;
            }
            var shrunk = Shrinker.Shrink(
                runner,
                layer,
                ops,
                divergence,
                options.Shrink ?? ShrinkLimits.Default,
                cancel
            );
            string signature = Signatures.Of(layer, shrunk.Ops, shrunk.Divergence);
            lock (_lock)
                _shrunkSignature.TryAdd(raw, signature);
            Add(new Finding<TOp>(k, SequenceSeed(options.Seed, k), ops, divergence, shrunk, signature));
        }

        /// <summary>After the workers stopped: shrink the lowest-numbered divergence and report it.</summary>
        public void ShrinkAndReport((long Sequence, TOp[] Ops, Divergence Divergence) first, CancellationToken cancel)
        {
            var runner = new Differential<TOp>(layer, options.Faults);
            var shrunk = Shrinker.Shrink(
                runner,
                layer,
                first.Ops,
                first.Divergence,
                options.Shrink ?? ShrinkLimits.Default,
                cancel
            );
            Add(
                new Finding<TOp>(
                    first.Sequence,
                    SequenceSeed(options.Seed, first.Sequence),
                    first.Ops,
                    first.Divergence,
                    shrunk,
                    Signatures.Of(layer, shrunk.Ops, shrunk.Divergence)
                )
            );
        }

        private void Add(Finding<TOp> finding)
        {
            lock (_lock)
            {
                _findings.Add(finding);
                found?.Invoke(finding);
            }
        }

        /// <summary>Every worker's counts so far, summed (read while they run: figures, not invariants).</summary>
        public RunStats Snapshot()
        {
            RunStats? total = null;
            foreach (var runner in _runners)
            {
                if (runner is not null)
                    (total ??= new RunStats(layer.OpKinds.Count, runner.Stats.SideNames)).Add(runner.Stats);
            }
            return total ?? new RunStats(layer.OpKinds.Count, []);
        }

        public long[] ProbeTotals()
        {
            var probes = new long[layer.Probes.Count];
            foreach (var runner in _runners)
                runner?.AddProbeCounts(probes);
            return probes;
        }
    }
}
