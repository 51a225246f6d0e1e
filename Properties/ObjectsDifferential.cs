using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The object/page layer: random op sequences on the reference and the range-iterator implementation.</summary>
public class ObjectsDifferential
{
    [Fact]
    public void RandomSequences_OnCorrectedImplementation_NeverDiverge()
    {
        ulong seed = TestSettings.Seed;
        var options = new CampaignOptions(FaultSet.None, seed, Cases: TestSettings.Cases);
        var result = Campaign.Run(ObjectLayer.Instance, ObjectGen.Arbitrary(options.MaxOps), options);
        Assert.False(result.Diverged, result.Diverged ? TestSettings.Explain(result, seed) : "");
        Assert.Equal(TestSettings.Cases, result.Stats.Sequences);
    }

    public static TheoryData<string> Faults()
    {
        var data = new TheoryData<string>();
        foreach (var info in FaultCatalog.All)
            data.Add(info.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_WithDefaultCaseCount_IsDetectedWithSmallCounterexample(string name)
    {
        var fault = FaultCatalog.Find(name)!;
        var options = new CampaignOptions(FaultSet.Of(fault), TestSettings.FaultSeed, Cases: TestSettings.FaultCases);
        var result = Campaign.Run(ObjectLayer.Instance, ObjectGen.Arbitrary(options.MaxOps), options);
        Assert.True(
            result.Diverged,
            $"{name} ({fault.Provenance}) went undetected in {TestSettings.FaultCases} sequences"
        );
        Assert.True(
            result.Shrunk!.Length <= TestSettings.MaxShrunkOps,
            $"{name}: shrunk counterexample has {result.Shrunk.Length} ops\n{TestSettings.Explain(result, TestSettings.FaultSeed)}"
        );
        var replayed = Runner.Run(ObjectLayer.Instance, result.Shrunk, FaultSet.Of(fault));
        Assert.NotNull(replayed);
        Assert.Null(Runner.Run(ObjectLayer.Instance, result.Shrunk, FaultSet.None));
    }
}
