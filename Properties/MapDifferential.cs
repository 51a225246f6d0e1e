using FsCheck;
using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The map layer's sequences as FsCheck arbitraries, for <c>[Property(Arbitrary = ...)]</c>.</summary>
public static class MapSequences
{
    public static Arbitrary<Sequence<MapOp>> Sequences() => DifferentialProperty.Arbitrary(MapLayer.Instance);
}

/// <summary>The map layer's sequences for the process-visible comparison with UnchunkedAmap.</summary>
public static class UnchunkedSequences
{
    public static Arbitrary<Sequence<MapOp>> Sequences() => DifferentialProperty.Arbitrary(MapLayer.Unchunked);
}

/// <summary>The map layer: random op sequences on the sorted-list reference and the tree maps, entry by entry.</summary>
public class MapDifferential
{
    [Property(Arbitrary = [typeof(MapSequences)], MaxTest = TestSettings.Cases, QuietOnSuccess = true)]
    public Property RandomSequences_OnCorrectImplementations_NeverDiverge(Sequence<MapOp> ops) =>
        DifferentialProperty.Holds(MapLayer.Instance, FaultSet.None, ops, TestSettings.CounterexampleFile("map"));

    /// <summary>
    /// Seed 001's other option: no 64 KiB clipping at fault time, one sparse amap per entry. Its entries
    /// differ from the kernel's, so it is compared on what the process sees.
    /// </summary>
    [Property(Arbitrary = [typeof(UnchunkedSequences)], MaxTest = 5_000, QuietOnSuccess = true)]
    public Property UnchunkedAmap_OnProcessVisibleObservation_NeverDiverges(Sequence<MapOp> ops) =>
        DifferentialProperty.Holds(
            MapLayer.Unchunked,
            FaultSet.None,
            ops,
            TestSettings.CounterexampleFile("map-unchunked")
        );

    /// <summary>The incremental fingerprint pins nothing unless it equals the full walk after every step.</summary>
    [Property(Arbitrary = [typeof(MapSequences)], MaxTest = 2_000, QuietOnSuccess = true)]
    public void IncrementalFingerprint_AfterEveryStep_EqualsTheFullWalk(Sequence<MapOp> ops)
    {
        var sides = new List<ISide<MapOp>> { MapLayer.Instance.CreateReference() };
        sides.AddRange(MapLayer.Instance.CreateImplementations(FaultSet.None));
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

    /// <summary>Every op prints as replay syntax that parses back to the same op.</summary>
    [Property(Arbitrary = [typeof(MapSequences)], MaxTest = 500, QuietOnSuccess = true)]
    public void Ops_PrintedAndParsed_AreTheSameOps(Sequence<MapOp> ops)
    {
        foreach (var op in ops.Ops)
            Assert.Equal(op, MapOpParser.Parse(op.ToString()));
    }

    public static TheoryData<string> Faults() => FaultDetection.Names(MapLayer.Instance.Name);

    /// <summary>A fixed seed and one worker: detection in CI does not depend on the machine.</summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_WithDefaultCaseCount_IsDetectedWithSmallCounterexample(string name) =>
        FaultDetection.AssertDetected(MapLayer.Instance, name, TestSettings.FaultCases);
}
