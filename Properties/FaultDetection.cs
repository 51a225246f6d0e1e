using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>What every layer's fault-detection theory asserts, in one place.</summary>
public static class FaultDetection
{
    /// <summary>The names of the faults of <paramref name="layer"/>, as theory data.</summary>
    public static TheoryData<string> Names(string layer)
    {
        var data = new TheoryData<string>();
        foreach (var fault in FaultCatalog.OfLayer(layer))
            data.Add(fault.Name);
        return data;
    }

    /// <summary>
    /// => the finding, after asserting that a fixed-seed campaign of at most <paramref name="cases"/>
    /// sequences on <paramref name="layer"/> found the fault, shrunk to at most
    /// <see cref="TestSettings.MaxShrunkOps"/> ops that diverge with the fault and not without it
    /// </summary>
    public static Finding<TOp> AssertDetected<TOp>(ILayer<TOp> layer, string name, long cases, int? maxOps = null)
        where TOp : class
    {
        var fault = FaultCatalog.Find(name)!;
        var options = new CampaignOptions(FaultSet.Of(fault), TestSettings.FaultSeed, Cases: cases);
        if (maxOps is { } max)
            options = options with { MaxOps = max };
        var result = Campaign.Run(layer, options);
        Assert.True(
            result.Diverged,
            $"{name} ({fault.Provenance}) went undetected by layer {layer.Name} in {cases} sequences"
        );
        var finding = result.First!;
        var shrunk = finding.Shrunk!;
        Assert.True(
            shrunk.Ops.Length <= TestSettings.MaxShrunkOps,
            $"{name}: shrunk counterexample has {shrunk.Ops.Length} ops\n{TestSettings.Explain(finding)}"
        );
        Assert.NotNull(new Differential<TOp>(layer, FaultSet.Of(fault)).Run(shrunk.Ops));
        Assert.Null(new Differential<TOp>(layer, FaultSet.None).Run(shrunk.Ops));
        return finding;
    }
}
