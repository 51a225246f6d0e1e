using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The runner on a toy layer whose ops are strings: each verdict it can give, and the shared panic
/// that is not a divergence. Nothing here knows about pages, which is the point.
/// </summary>
public class RunnerTests
{
    /// <summary>
    /// A counter machine. "add" adds one; "panic" panics; an implementation may be built to answer
    /// "add" wrongly, to break its invariant, to drift in what it shows, or to hide that drift from
    /// its fingerprint.
    /// </summary>
    private sealed class Counter(string name, string? bug) : ISide<string>
    {
        private int _value;
        private int _shown;

        public string Name => name;

        public Outcome Apply(string op)
        {
            if (op == "panic")
                return new Outcome("Panic(boom)", "");
            _value++;
            _shown += bug is "drift" or "hidden-drift" && _value == 3 ? 2 : 1;
            return new Outcome(bug == "outcome" && _value == 2 ? "Ok(0)" : $"Ok({_value})", "");
        }

        public string? CheckInvariants() => bug == "invariant" && _value == 4 ? "value 4 is forbidden" : null;

        public ulong Fingerprint() => (ulong)(bug == "hidden-drift" ? _value : _shown);

        public IReadOnlyList<string> Observe() => [$"shown {_shown}"];
    }

    private sealed class CounterLayer(string? bug) : ILayer<string>
    {
        public string Name => "counter";

        public ISide<string> CreateReference() => new Counter("reference", null);

        public IReadOnlyList<ISide<string>> CreateImplementations(FaultSet faults) => [new Counter("impl", bug)];

        public string Parse(string line) => line;
    }

    private static readonly string[] FourAdds = ["add", "add", "add", "add"];

    [Fact]
    public void EqualSides_ThroughTheWholeSequence_GiveNoDivergence() =>
        Assert.Null(Runner.Run(new CounterLayer(null), FourAdds, FaultSet.None));

    [Fact]
    public void DifferentOutcome_StopsAtThatStepWithBothOutcomes()
    {
        var d = Runner.Run(new CounterLayer("outcome"), FourAdds, FaultSet.None)!;
        Assert.Equal(
            (2, "outcomes differ", "Ok(2)", "Ok(0)"),
            (d.Step, d.Kind, d.ReferenceOutcome!.Result, d.ImplementationOutcome!.Result)
        );
    }

    [Fact]
    public void BrokenInvariant_IsReportedWithItsMessage()
    {
        var d = Runner.Run(new CounterLayer("invariant"), FourAdds, FaultSet.None)!;
        Assert.Equal((4, "invariant violated", "value 4 is forbidden"), (d.Step, d.Kind, d.Detail));
    }

    [Fact]
    public void DifferentObservation_IsReportedAsAUnifiedDiffAtTheFirstStepItShows()
    {
        var d = Runner.Run(new CounterLayer("drift"), FourAdds, FaultSet.None)!;
        Assert.Equal((3, "observations differ"), (d.Step, d.Kind));
        Assert.Contains("-shown 3\n+shown 4\n", d.Detail);
    }

    [Fact]
    public void FingerprintThatMissesADifference_IsCaughtByThePeriodicFullComparison()
    {
        var d = Runner.Run(new CounterLayer("hidden-drift"), FourAdds, FaultSet.None)!;
        Assert.Equal(4, d.Step);
        Assert.Contains("fingerprint bug", d.Kind);
    }

    [Fact]
    public void PanicOnBothSides_EndsTheSequenceWithoutDivergence() =>
        Assert.Null(Runner.Run(new CounterLayer("outcome"), ["add", "panic", "add", "add"], FaultSet.None));
}
