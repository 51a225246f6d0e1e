using System.Collections.Concurrent;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The runner and campaigns on a toy layer whose ops are strings: each verdict the runner can give,
/// the shared panic that is not a divergence, and the campaign's promises (shards partition a run,
/// findings do not depend on timing or worker count, shrinking stops at its bounds). Nothing here
/// knows about pages, which is the point.
/// </summary>
public class RunnerTests
{
    /// <summary>
    /// A counter machine. "add N" adds one; "panic" panics; an implementation may be built to answer
    /// "add" wrongly, to crash (throw) on it, to break its invariant, to drift in what it shows, to hide that drift from its
    /// fingerprint, or to keep an incremental fingerprint that misses a change its full walk sees.
    /// Ops containing "x" make the "x" bug diverge, for campaign tests.
    /// </summary>
    private sealed class Counter(string name, string? bug) : ISide<string>
    {
        private int _value;
        private int _shown;

        public string Name => name;

        public long[] ProbeCounts { get; } = [0];

        public ConcurrentBag<string>? Seen;
        private string _sequence = "";

        public void Reset()
        {
            if (_sequence.Length > 0)
                Seen?.Add(_sequence);
            _sequence = "";
            _value = _shown = 0;
        }

        public Outcome Apply(string op)
        {
            _sequence += op + ";";
            if (op == "panic")
                return Outcome.Panic("boom");
            _value++;
            ProbeCounts[0]++;
            _shown += bug is "drift" or "hidden-drift" && _value == 3 ? 2 : 1;
            if (bug == "x" && op.Contains('x'))
                return Outcome.Of(-1);
            if (bug == "crash" && _value == 2)
                throw new InvalidOperationException("node is not among its parent's children");
            return bug == "outcome" && _value == 2 ? Outcome.Of(0) : Outcome.Of(_value);
        }

        public string LastSleeps => "";

        public string? CheckInvariants() => bug == "invariant" && _value == 4 ? "value 4 is forbidden" : null;

        public string? CheckAllInvariants() => CheckInvariants();

        public ulong Fingerprint() => (ulong)(bug is "hidden-drift" or "stale-incremental" ? _value : _shown);

        public ulong FullFingerprint() =>
            (ulong)(bug == "hidden-drift" ? _value : _shown) + (bug == "stale-incremental" ? 1UL : 0);

        public IReadOnlyList<string> Observe() => [$"shown {_shown}"];

        /// <summary>The last sequence, which no later reset has reported yet.</summary>
        public void Flush() => Reset();
    }

    private sealed class CounterLayer(string? bug) : ILayer<string>
    {
        public readonly ConcurrentBag<string> Seen = [];
        private readonly ConcurrentBag<Counter> _sides = [];

        public string Name => "counter";

        public ISide<string> CreateReference() => Track(new Counter("reference", null) { Seen = Seen });

        public IReadOnlyList<ISide<string>> CreateImplementations(FaultSet faults) => [Track(new Counter("impl", bug))];

        public string Parse(string line) => line;

        public IReadOnlyList<string> OpKinds { get; } = ["add", "panic"];

        public int KindOf(string op) => op == "panic" ? 1 : 0;

        public IReadOnlyList<string> Probes { get; } = ["added"];

        public void Generate(ref Rng rng, int maxOps, List<string> into)
        {
            int n = rng.Between(1, maxOps);
            for (int i = 0; i < n; i++)
                into.Add(rng.Below(200) == 0 ? "add x" : $"add {rng.Below(1000)}");
        }

        public IEnumerable<string[]> Shrink(string[] ops)
        {
            for (int i = 0; i < ops.Length && ops.Length > 1; i++)
                yield return [.. ops[..i], .. ops[(i + 1)..]];
        }

        /// <summary>Every sequence the references ran, once each.</summary>
        public List<string> Sequences()
        {
            foreach (var side in _sides)
                side.Flush();
            return [.. Seen.Order(StringComparer.Ordinal)];
        }

        private Counter Track(Counter side)
        {
            _sides.Add(side);
            return side;
        }
    }

    private static readonly string[] FourAdds = ["add", "add", "add", "add"];

    private static Divergence? RunOnce(string? bug, params string[] ops) =>
        new Differential<string>(new CounterLayer(bug), FaultSet.None).Run(ops);

    [Fact]
    public void EqualSides_ThroughTheWholeSequence_GiveNoDivergence() => Assert.Null(RunOnce(null, FourAdds));

    [Fact]
    public void ApplyTiming_SamplesEveryTimingPeriodthCountedOpOnEverySide()
    {
        var runner = new Differential<string>(new CounterLayer(null), FaultSet.None);
        for (int i = 0; i < 5; i++)
            Assert.Null(runner.Run(FourAdds));
        Assert.Equal(20 / Differential<string>.TimingPeriod + 1, runner.Stats.TimedOps);
        Assert.Equal(1 + runner.Implementations.Count, runner.Stats.SideNames.Count);
        Assert.All(runner.Stats.ApplyTicks, ticks => Assert.True(ticks > 0));
        Assert.Null(runner.Run(FourAdds, count: false));
        Assert.Equal(20 / Differential<string>.TimingPeriod + 1, runner.Stats.TimedOps);
    }

    [Fact]
    public void DifferentOutcome_StopsAtThatStepWithBothOutcomes()
    {
        var d = RunOnce("outcome", FourAdds)!;
        Assert.Equal(
            (2, "outcomes differ", "Ok(2)", "Ok(0)"),
            (d.Step, d.Kind, d.ReferenceOutcome, d.ImplementationOutcome)
        );
    }

    [Fact]
    public void SideThatThrows_IsAKernelCrashAndAnOutcomeThatDiffers()
    {
        var d = RunOnce("crash", FourAdds)!;
        Assert.Equal((2, "outcomes differ", "Ok(2)"), (d.Step, d.Kind, d.ReferenceOutcome));
        Assert.Contains(
            "crash: InvalidOperationException: node is not among its parent's children",
            d.ImplementationOutcome
        );
    }

    [Fact]
    public void BrokenInvariant_IsReportedWithItsMessage()
    {
        var d = RunOnce("invariant", FourAdds)!;
        Assert.Equal((4, "invariant violated", "value 4 is forbidden"), (d.Step, d.Kind, d.Detail));
    }

    [Fact]
    public void DifferentObservation_IsReportedAsAUnifiedDiffAtTheFirstStepItShows()
    {
        var d = RunOnce("drift", FourAdds)!;
        Assert.Equal((3, "observations differ"), (d.Step, d.Kind));
        Assert.Contains("-shown 3\n+shown 4\n", d.Detail);
    }

    [Fact]
    public void FingerprintThatMissesADifference_IsCaughtByThePeriodicFullComparison()
    {
        var d = RunOnce("hidden-drift", FourAdds)!;
        Assert.Equal(4, d.Step);
        Assert.Contains("fingerprint bug", d.Kind);
    }

    [Fact]
    public void IncrementalFingerprintThatDisagreesWithItsFullWalk_IsReportedAsAFingerprintBug()
    {
        var d = RunOnce("stale-incremental", FourAdds)!;
        Assert.Equal(4, d.Step);
        Assert.Contains("differs from its full walk", d.Kind);
    }

    [Fact]
    public void PanicOnBothSides_EndsTheSequenceWithoutDivergence() =>
        Assert.Null(RunOnce("outcome", "add", "panic", "add", "add"));

    [Fact]
    public void Shards_OfOneSeed_TogetherRunExactlyTheUnshardedSequences()
    {
        var whole = new CounterLayer(null);
        Campaign.Run(whole, new CampaignOptions(FaultSet.None, 42, MaxOps: 8, Cases: 300, Workers: 2));
        var parts = new List<string>();
        for (int shard = 0; shard < 3; shard++)
        {
            var layer = new CounterLayer(null);
            var options = new CampaignOptions(
                FaultSet.None,
                42,
                MaxOps: 8,
                Cases: 300,
                Workers: 2,
                Shard: shard,
                Shards: 3
            );
            Assert.Equal(100, Campaign.Run(layer, options).Total.Sequences);
            parts.AddRange(layer.Sequences());
        }
        Assert.Equal(300, whole.Sequences().Count);
        Assert.Equal(whole.Sequences(), parts.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FirstFinding_IsTheLowestDivergingSequenceWhateverTheWorkerCount(int workers)
    {
        var layer = new CounterLayer("x");
        long lowest = Enumerable
            .Range(0, 100_000)
            .First(k => Campaign.Generate(layer, 7, k, 8).Any(op => op.Contains('x')));
        var result = Campaign.Run(layer, new CampaignOptions(FaultSet.None, 7, MaxOps: 8, Workers: workers));
        Assert.Equal(lowest, result.First!.Sequence);
        Assert.Equal(["add x"], result.First.Shrunk!.Ops);
        Assert.Null(result.First.Shrunk.CutShort);
    }

    [Fact]
    public void KeepGoing_FindsEveryDivergingSequenceAndShrinksEachSignatureOnce()
    {
        var layer = new CounterLayer("x");
        var result = Campaign.Run(
            layer,
            new CampaignOptions(FaultSet.None, 7, MaxOps: 8, Cases: 2_000, Workers: 2, KeepGoing: true)
        );
        long diverging = Enumerable
            .Range(0, 2_000)
            .Count(k => Campaign.Generate(layer, 7, k, 8).Any(op => op.Contains('x')));
        Assert.Equal(diverging, result.Findings.Count);
        Assert.Single(result.Findings.Select(f => f.Signature).Distinct());
        Assert.Single(result.Findings, f => f.Shrunk is not null);
    }

    [Fact]
    public void Shrinking_StoppedByItsRunBound_SaysSo()
    {
        var layer = new CounterLayer("x");
        var runner = new Differential<string>(layer, FaultSet.None);
        string[] ops = ["add 1", "add 2", "add 3", "add x"];
        var shrunk = Shrinker.Shrink(
            runner,
            layer,
            ops,
            runner.Run(ops)!,
            new ShrinkLimits(1, TimeSpan.FromSeconds(10))
        );
        Assert.Equal(1, shrunk.Runs);
        Assert.Equal("the bound of 1 runs", shrunk.CutShort);
        Assert.Equal(3, shrunk.Ops.Length);
    }

    [Fact]
    public void Campaign_Cancelled_StopsAndSaysItWasInterrupted()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var result = Campaign.Run(
            new CounterLayer(null),
            new CampaignOptions(FaultSet.None, 1, Duration: TimeSpan.FromMinutes(5), Workers: 2),
            cancel.Token
        );
        Assert.True(result.Interrupted);
        Assert.Equal(0, result.Total.Sequences);
    }
}
