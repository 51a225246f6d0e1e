using UvmDiff.Harness.Kernel;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Traces that found real bugs of the whole kernel's composition (Regressions/whole-kernel/), replayed
/// forever. (Regressions/kernel/ holds the object layer's traces of bugs in the kernel's own code.)
/// </summary>
public class KernelRegressions
{
    public static TheoryData<string> Traces() => RegressionTraces.Files("whole-kernel");

    [Theory]
    [MemberData(nameof(Traces))]
    public void Regression_NoLongerDiverges(string file) =>
        RegressionTraces.AssertPasses(KernelLayer.Instance, "whole-kernel", file);
}
