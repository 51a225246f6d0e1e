using UvmDiff.Harness.Concurrency;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Every trace under Regressions/concurrency/ is a shrunk schedule that found a seed 002 hazard once,
/// replayed forever as <see cref="RegressionTraces"/> says.
/// </summary>
public class ConcurrencyRegressions
{
    public static TheoryData<string> Traces() => RegressionTraces.Files("concurrency");

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnDefaultImplementation_ReplaysWithoutDivergence(string file) =>
        RegressionTraces.AssertPasses(ConcurrencyLayer.Instance, "concurrency", file);

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_WithTheFaultItWasFoundWith_StillDiverges(string file) =>
        RegressionTraces.AssertDivergesWithItsFault(ConcurrencyLayer.Instance, "concurrency", file);
}
