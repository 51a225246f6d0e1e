using UvmDiff.Harness.Objects;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The object layer's regressions, the traces at the top of Regressions/ (<see cref="RegressionTraces"/>).</summary>
public class ObjectRegressions
{
    public static TheoryData<string> Traces() => RegressionTraces.Files("");

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnDefaultImplementation_ReplaysWithoutDivergence(string file) =>
        RegressionTraces.AssertPasses(ObjectLayer.Instance, "", file);

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_WithTheFaultItWasFoundWith_StillDiverges(string file) =>
        RegressionTraces.AssertDivergesWithItsFault(ObjectLayer.Instance, "", file);
}
