using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Xunit;
using UvmDiff.Harness.Concurrency;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;
using Xunit.Abstractions;

namespace UvmDiff.Properties;

/// <summary>The concurrency layer's programs as FsCheck arbitraries.</summary>
public static class ConcurrentPrograms
{
    public static Arbitrary<Sequence<ConcurrentProgram>> Sequences() =>
        DifferentialProperty.Arbitrary(ConcurrencyLayer.Instance, maxOps: 4);
}

/// <summary>
/// Seed 002 on two CPUs: random programs under random schedules on the stepped kernel before and after the
/// diff, every run linearizable to the reference; each fault found by a campaign and by exhaustive
/// exploration of the shipped programs, its shrunk schedule shown step by step.
/// </summary>
public class ConcurrencyDifferential(ITestOutputHelper output)
{
    private const long ExploreBound = 5_000_000;

    /// <summary>Verdicts rest on the schedule bound alone: a loaded machine must not turn a pass into a failure.</summary>
    private static readonly TimeSpan NoTimeLimit = TimeSpan.FromMinutes(10);

    [Property(Arbitrary = [typeof(ConcurrentPrograms)], MaxTest = 3_000, QuietOnSuccess = true)]
    public Property RandomSchedules_OnTheDiffAsPosted_AreLinearizable(Sequence<ConcurrentProgram> ops) =>
        DifferentialProperty.Holds(
            ConcurrencyLayer.Instance,
            FaultSet.None,
            ops,
            TestSettings.CounterexampleFile("concurrency")
        );

    public static TheoryData<string> Faults() => FaultDetection.Names(ConcurrencyLayer.Instance.Name);

    public static TheoryData<string> Shipped()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in ShippedPrograms.All)
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_RandomSchedules_AreDetectedWithShrunkSchedule(string name)
    {
        var finding = FaultDetection.AssertDetected(
            ConcurrencyLayer.Instance,
            name,
            TestSettings.FaultCases,
            maxOps: 4
        );
        var shrunk = finding.Shrunk!;
        var fault = FaultCatalog.Find(name)!;
        output.WriteLine($"found after {finding.Sequence + 1} programs; shrunk:");
        output.WriteLine(shrunk.Divergence.Report());
        foreach (var program in shrunk.Ops)
            output.WriteLine(ConcurrencyLayer.Instance.Explain(program, FaultSet.Of(fault)));
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_ExploringTheShippedPrograms_FindsAFailingSchedule(string name)
    {
        var faults = FaultSet.Of(FaultCatalog.Find(name)!);
        foreach (var (programName, program) in ShippedPrograms.All)
        {
            foreach (bool afterDiff in new[] { false, true })
            {
                var result = new Explorer(afterDiff, faults, NoTimeLimit, ExploreBound).Explore(program);
                if (result.Counterexample is null)
                    continue;
                output.WriteLine($"{programName}: {result.Schedules} schedules explored, failed with {result.Failure}");
                output.WriteLine(InterleavingView.Render(result.Counterexample, afterDiff, faults));
                Assert.NotNull(
                    new Differential<ConcurrentProgram>(ConcurrencyLayer.Instance, faults).Run([result.Counterexample])
                );
                return;
            }
        }
        Assert.Fail($"{name}: no shipped program has a failing schedule");
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void ShippedProgram_EverySchedule_IsLinearizableBeforeAndAfterTheDiff(string name)
    {
        var program = ShippedPrograms.All.Single(p => p.Name == name).Program;
        foreach (bool afterDiff in new[] { false, true })
        {
            var result = new Explorer(afterDiff, FaultSet.None, NoTimeLimit, ExploreBound).Explore(program);
            Assert.True(
                result.Exhaustive && result.Counterexample is null,
                result.Counterexample is null
                    ? $"{name}: bound reached after {result.Schedules} schedules"
                    : $"{name}: {result.Failure}\n{InterleavingView.Render(result.Counterexample, afterDiff, FaultSet.None)}"
            );
            output.WriteLine($"{name} on {result.Implementation}: {result.Schedules} schedules, all linearizable");
        }
    }

    /// <summary>
    /// Sleep sets may skip interleavings only when an equivalent one is judged: on small programs, the
    /// reduced and the full exploration reach the same verdicts and the same final worlds.
    /// </summary>
    [Theory]
    [InlineData("Program(slots: [aobj|active|mapped], a: [UaoFlushFree(0)], b: [Fault(0)])", "")]
    [InlineData("Program(slots: [aobj|active|mapped], a: [UaoFlushFree(0)], b: [Fault(0)])", "OwnerUnlockedBeforeFree")]
    [InlineData("Program(slots: [kmem|wired, anon|wired], a: [KmPgremove(0)], b: [AnFree(1)])", "")]
    [InlineData("Program(slots: [kmem|wired, anon|wired], a: [KmPgremove(0)], b: [AnFree(1)])", "WiredPlainLoadStore")]
    [InlineData(
        "Program(slots: [kmem|wired, kmem|none, anon|none], a: [KmPgremove(0)], b: [KmPgremove(1)], c: [AnFree(2)])",
        ""
    )]
    public void Reduction_OnSmallPrograms_ReachesEveryResultTheFullExplorationReaches(string text, string fault)
    {
        var program = ProgramParser.Parse(text);
        var faults = fault.Length == 0 ? FaultSet.None : FaultSet.Of(FaultCatalog.Find(fault)!);
        foreach (bool afterDiff in new[] { false, true })
        {
            var seen = new List<string>[2];
            for (int reduce = 0; reduce < 2; reduce++)
            {
                var explorer = new Explorer(afterDiff, faults, NoTimeLimit, ExploreBound, reduce == 1, keepGoing: true);
                var result = explorer.Explore(program);
                Assert.True(result.Exhaustive, $"bound reached after {result.Schedules} schedules");
                seen[reduce] =
                [
                    .. explorer
                        .ResultsSeen.Select(r => Regex.Replace(r, @"after \d+ steps", "after N steps"))
                        .Distinct()
                        .Order(StringComparer.Ordinal),
                ];
            }
            Assert.Equal(seen[0], seen[1]);
        }
    }

    /// <summary>Two threads of at least ten steps each: every schedule within the schedule bound, thanks to the reduction.</summary>
    [Fact]
    public void TwoThreadsOfTenStepsOrMore_AreExploredExhaustivelyWithinTheBound()
    {
        var program = ShippedPrograms.FaultBackBeforeFree;
        var result = new Explorer(true, FaultSet.None, NoTimeLimit, ExploreBound).Explore(program);
        Assert.True(result.Exhaustive);
        var machine = new Implementations.Concurrency.SteppedMachine(true, FaultSet.None);
        ProgramRun.Start(machine, program);
        machine.RunSchedule([]);
        Assert.True(machine.StepsTaken >= 20, $"only {machine.StepsTaken} steps");
    }

    [Fact]
    public void Program_PrintedAndParsed_IsTheSameProgram()
    {
        var rng = new Rng(5);
        for (int i = 0; i < 200; i++)
        {
            var program = ProgramGen.One(ref rng);
            Assert.Equal(program.ToString(), ProgramParser.Parse(program.ToString()).ToString());
        }
    }

    [Theory]
    [InlineData("Program(slots: [], a: [Fault(0)])", "slots must be a list")]
    [InlineData("Program(slots: [kmem|wired], a: [Fault(0)])", "does not apply")]
    [InlineData("Program(slots: [anon|active], a: [AnFree(1)])", "names a slot")]
    [InlineData("Program(slots: [anon|active], a: [AnFree(0)], schedule: abc)", "does not have")]
    [InlineData("Program(slots: [anon|busy], a: [AnFree(0)])", "unknown slot state")]
    public void Program_Malformed_IsRejectedWithAReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ProgramParser.Parse(text));
        Assert.Contains(reason, error.Message);
    }
}
