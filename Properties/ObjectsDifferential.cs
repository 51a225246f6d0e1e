using FsCheck;
using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The object layer's sequences as FsCheck arbitraries, for <c>[Property(Arbitrary = ...)]</c>.</summary>
public static class ObjectSequences
{
    public static Arbitrary<Sequence<ObjOp>> Sequences() => DifferentialProperty.Arbitrary(ObjectLayer.Instance);
}

/// <summary>The object/page layer: random op sequences on the reference and the range-iterator implementation.</summary>
public class ObjectsDifferential
{
    /// <summary>
    /// A failure prints FsCheck's replay seed, the shrunk trace and the divergence report, and leaves the
    /// trace in counterexamples/; <c>[Property(Replay = "(seed,gamma)")]</c> reproduces it.
    /// </summary>
    [Property(Arbitrary = [typeof(ObjectSequences)], MaxTest = TestSettings.Cases, QuietOnSuccess = true)]
    public Property RandomSequences_OnCorrectedImplementation_NeverDiverge(Sequence<ObjOp> ops) =>
        DifferentialProperty.Holds(
            ObjectLayer.Instance,
            FaultSet.None,
            ops,
            TestSettings.CounterexampleFile("objects")
        );

    /// <summary>The incremental fingerprint pins nothing unless it equals the full walk after every step.</summary>
    [Property(Arbitrary = [typeof(ObjectSequences)], MaxTest = 2_000, QuietOnSuccess = true)]
    public void IncrementalFingerprint_AfterEveryStep_EqualsTheFullWalk(Sequence<ObjOp> ops)
    {
        var sides = new List<ISide<ObjOp>> { ObjectLayer.Instance.CreateReference() };
        sides.AddRange(ObjectLayer.Instance.CreateImplementations(FaultSet.None));
        foreach (var side in sides)
        {
            side.Reset();
            Assert.Equal(side.FullFingerprint(), side.Fingerprint());
            for (int i = 0; i < ops.Ops.Length; i++)
            {
                if (side.Apply(ops.Ops[i]).IsFatal)
                    break;
                Assert.True(
                    side.FullFingerprint() == side.Fingerprint(),
                    $"{side.Name}: incremental fingerprint differs from the full walk after step {i + 1}: {ops.Ops[i]}"
                );
            }
        }
    }

    /// <summary>Same seed, same sequence numbers: the same counts and the same divergences, on any number of workers.</summary>
    [Fact]
    public void Campaign_RunTwiceWithOneSeed_CountsAndFindsTheSameWhateverTheWorkers()
    {
        var faults = FaultSet.Of(Implementations.Objects.ObjectFaults.NoPrefetch);
        string Run(int workers)
        {
            var options = new CampaignOptions(faults, 99, Cases: 3_000, Workers: workers, KeepGoing: true);
            var result = Campaign.Run(ObjectLayer.Instance, options);
            return $"{result.Total.Sequences} {result.Total.Ops} {string.Join(",", result.Total.OpsByKind)}\n"
                + string.Join("\n", result.Findings.Select(f => $"{f.Sequence}: {f.Divergence.Report()}"));
        }
        string once = Run(2);
        Assert.Contains("divergence", once);
        Assert.Equal(once, Run(2));
        Assert.Equal(once, Run(1));
    }

    public static TheoryData<string> Faults() => FaultDetection.Names(ObjectLayer.Instance.Name);

    /// <summary>A fixed seed and one worker: detection in CI does not depend on the machine.</summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_WithDefaultCaseCount_IsDetectedWithSmallCounterexample(string name) =>
        FaultDetection.AssertDetected(ObjectLayer.Instance, name, TestSettings.FaultCases);
}
