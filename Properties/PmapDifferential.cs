using FsCheck;
using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Pmap;
using UvmDiff.Implementations;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The pmap layer's sequences as FsCheck arbitraries, one per architecture choice.</summary>
public static class PmapSequences
{
    public static Arbitrary<Sequence<PmapOp>> Sequences() => DifferentialProperty.Arbitrary(PmapLayer.Both);
}

/// <summary>
/// The pmap layer: random op sequences on the reference under each architecture's profile and on the
/// simulated amd64 and arm64 pmaps, every teardown strategy, with the teardown invariants after every step.
/// </summary>
public class PmapDifferential
{
    [Property(Arbitrary = [typeof(PmapSequences)], MaxTest = TestSettings.Cases, QuietOnSuccess = true)]
    public Property RandomSequences_OnBothArchitectures_NeverDiverge(Sequence<PmapOp> ops) =>
        DifferentialProperty.Holds(PmapLayer.Both, FaultSet.None, ops, TestSettings.CounterexampleFile("pmap"));

    [Property(Arbitrary = [typeof(PmapSequences)], MaxTest = 2_000, QuietOnSuccess = true)]
    public void IncrementalFingerprint_AfterEveryStep_EqualsTheFullWalk(Sequence<PmapOp> ops)
    {
        var sides = new List<ISide<PmapOp>> { PmapLayer.Both.CreateReference() };
        sides.AddRange(PmapLayer.Both.CreateImplementations(FaultSet.None));
        foreach (var side in sides)
        {
            side.Reset();
            foreach (var op in ops.Ops)
            {
                if (side.Apply(op).IsFatal)
                    break;
                Assert.Equal(side.FullFingerprint(), side.Fingerprint());
            }
        }
    }

    /// <summary>The wire count the kernels ask for one page at a time is the one each machine's walk reports.</summary>
    [Property(Arbitrary = [typeof(PmapSequences)], MaxTest = 1_000, QuietOnSuccess = true)]
    public void WireCount_AfterEveryStep_IsThePageFactsWireCount(Sequence<PmapOp> ops)
    {
        var sides = new List<ISide<PmapOp>> { PmapLayer.Both.CreateReference() };
        sides.AddRange(PmapLayer.Both.CreateImplementations(FaultSet.None));
        foreach (var pair in sides.Cast<ArchPairSide<PmapOp>>())
        {
            foreach (var side in new[] { pair.Amd64, pair.Arm64 }.Cast<PmapSide>())
            {
                side.Reset();
                foreach (var op in ops.Ops)
                {
                    if (side.Apply(op).IsFatal)
                        break;
                    var walked = new PageWires();
                    side.Machine.Walk(walked);
                    for (int page = 0; page < PmapWorld.Pages; page++)
                        Assert.Equal(walked.Count[page], side.Machine.WireCount(page));
                }
            }
        }
    }

    public static TheoryData<string> Faults() => FaultDetection.Names("pmap");

    /// <summary>A fixed seed and one worker: detection in CI does not depend on the machine.</summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_WithDefaultCaseCount_IsDetectedWithSmallCounterexample(string name) =>
        FaultDetection.AssertDetected(PmapLayer.Both, name, TestSettings.FaultCases);
}
