using System.Diagnostics;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Bench;

/// <summary>
/// The differential runner of one layer taken apart: the same fixed batch of generated sequences run
/// with more and more of the runner's work switched on, so that the difference between two steps is
/// what one phase costs. Each step includes the ones before it; <see cref="Runner"/> is the real
/// runner, whose extra over <see cref="Fingerprints"/> is comparing and bookkeeping.
/// </summary>
public interface IRunnerPhases
{
    string Layer { get; }

    long OpsPerBatch { get; }

    /// <summary>Draw the batch's sequences from their seeds.</summary>
    void Generate();

    /// <summary>+ reset every side before each sequence.</summary>
    void Reset();

    /// <summary>+ apply every op to every side.</summary>
    void Apply();

    /// <summary>+ the per-step invariants, and all of them when the runner checks all (every 16 steps, ...).</summary>
    void Invariants();

    /// <summary>+ the incremental fingerprint per step, and the full walk when the runner walks.</summary>
    void Fingerprints();

    /// <summary>The runner itself: everything above plus comparison and counting.</summary>
    void Runner();
}

public static class RunnerPhases
{
    public const int Sequences = 2_000;
    public const ulong Seed = 2026;

    public static IRunnerPhases For(LayerEntry layer) => layer.Accept(new Build(), LayerOptions.None);

    /// <summary>
    /// bench --runner-profile: nanoseconds per op of each phase, per layer, timed with a stopwatch over
    /// repeated batches (the median of five, after a second of warm-up so the JIT has tiered up). A quick look; the BenchmarkDotNet run of
    /// <see cref="RunnerBenchmarks"/> is the careful one. <paramref name="only"/> names one layer, or null for all.
    /// </summary>
    public static void PrintProfile(TextWriter output, string? only = null)
    {
        output.WriteLine($"runner phases, ns per op (median of 5 batches of {Sequences} sequences, seed {Seed}):");
        output.WriteLine(
            $"{"layer", -10} {"generate", 9} {"reset", 9} {"ops", 9} {"invariants", 11} {"fingerprints", 13} {"compare", 9} {"total", 9} {"ops/s", 11} {"bytes/op", 9}"
        );
        foreach (var entry in Layers.All)
        {
            if (only is not null && entry.Name != only)
                continue;
            var phases = For(entry);
            double[] steps =
            [
                Time(phases, phases.Generate),
                Time(phases, phases.Reset),
                Time(phases, phases.Apply),
                Time(phases, phases.Invariants),
                Time(phases, phases.Fingerprints),
                Time(phases, phases.Runner),
            ];
            double total = steps[^1];
            long before = GC.GetAllocatedBytesForCurrentThread();
            phases.Runner();
            double bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / phases.OpsPerBatch;
            output.WriteLine(
                $"{phases.Layer, -10} {steps[0], 9:0} {steps[1] - steps[0], 9:0} {steps[2] - steps[1], 9:0} "
                    + $"{steps[3] - steps[2], 11:0} {steps[4] - steps[3], 13:0} {steps[5] - steps[4], 9:0} {total, 9:0} {1e9 / total, 11:N0} {bytes, 9:0.0}"
            );
        }
    }

    private static double Time(IRunnerPhases phases, Action batch)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(1))
            batch();
        var samples = new double[5];
        for (int i = 0; i < samples.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            batch();
            samples[i] = clock.Elapsed.TotalNanoseconds / phases.OpsPerBatch;
        }
        Array.Sort(samples);
        return samples[2];
    }

    private sealed class Build : ILayerVisitor<IRunnerPhases>
    {
        public IRunnerPhases Visit<TOp>(ILayer<TOp> layer)
            where TOp : class => new Phases<TOp>(layer);
    }

    private sealed class Phases<TOp> : IRunnerPhases
        where TOp : class
    {
        private readonly ILayer<TOp> _layer;
        private readonly TOp[][] _batch;
        private readonly Differential<TOp> _runner;
        private readonly List<ISide<TOp>> _sides;
        private readonly List<TOp> _scratch = [];

        public Phases(ILayer<TOp> layer)
        {
            _layer = layer;
            _batch = new TOp[Sequences][];
            for (int k = 0; k < Sequences; k++)
                _batch[k] = Campaign.Generate(layer, Seed, k, 40);
            _runner = new Differential<TOp>(layer, FaultSet.None);
            _sides = [_runner.Reference, .. _runner.Implementations];
            foreach (var ops in _batch)
                OpsPerBatch += ops.Length;
        }

        public string Layer => _layer.Name;

        public long OpsPerBatch { get; }

        public void Generate()
        {
            for (int k = 0; k < Sequences; k++)
            {
                var rng = new Rng(Campaign.SequenceSeed(Seed, k));
                _scratch.Clear();
                _layer.Generate(ref rng, 40, _scratch);
            }
        }

        public void Reset()
        {
            Generate();
            foreach (var _ in _batch)
            {
                foreach (var side in _sides)
                    side.Reset();
            }
        }

        public void Apply() => Walk(invariants: false, fingerprints: false);

        public void Invariants() => Walk(invariants: true, fingerprints: false);

        public void Fingerprints() => Walk(invariants: true, fingerprints: true);

        public void Runner()
        {
            Generate();
            foreach (var ops in _batch)
                _runner.Run(ops);
        }

        private void Walk(bool invariants, bool fingerprints)
        {
            Generate();
            for (int k = 0; k < _batch.Length; k++)
            {
                var ops = _batch[k];
                bool sampled = k % Differential<TOp>.TextCheckPeriod == 0;
                foreach (var side in _sides)
                {
                    side.Reset();
                    for (int i = 0; i < ops.Length; i++)
                    {
                        if (side.Apply(ops[i]).IsFatal)
                            break;
                        bool full =
                            (i + 1) % Differential<TOp>.FullCheckPeriod == 0 || (i + 1 == ops.Length && sampled);
                        if (invariants)
                            _ = full ? side.CheckAllInvariants() : side.CheckInvariants();
                        if (fingerprints)
                            _ = full ? side.FullFingerprint() ^ side.Fingerprint() : side.Fingerprint();
                    }
                }
            }
        }
    }
}
