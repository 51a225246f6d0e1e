using UvmDiff.Harness.Kernel;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The whole kernel's races (<see cref="RaceOp"/>): each concurrency fault's shrunk counterexample from the
/// kernel level (Regressions/kernel-races/) passes on the composed kernels as built and diverges with its
/// fault; the op's syntax rejects what it cannot run with a reason.
/// </summary>
public class KernelRaceTests
{
    private const string Folder = "kernel-races";

    public static TheoryData<string> Traces() => RegressionTraces.Files(Folder);

    [Theory]
    [MemberData(nameof(Traces))]
    public void RaceTrace_PassesAsBuilt(string file) =>
        RegressionTraces.AssertPasses(KernelLayer.Instance, Folder, file);

    [Theory]
    [MemberData(nameof(Traces))]
    public void RaceTrace_DivergesWithItsFault(string file) =>
        RegressionTraces.AssertDivergesWithItsFault(KernelLayer.Instance, Folder, file);

    [Theory]
    [InlineData("race [munmap p0 0x1000 +1] [read cpu1 0x1000]", "a race reads")]
    [InlineData("race [munmap p0 0x1000 +1] [read cpu1 0x1000] abc", "is not a schedule of a and b")]
    [InlineData("race [munmap p0 0x1000 +2] [read cpu1 0x1000] ab", "works on one page (+1)")]
    [InlineData("race [read cpu1 0x1000] [read cpu1 0x1000] ab", "side a of a race runs on cpu0")]
    [InlineData("race [fork p0 p1] [read cpu1 0x1000] ab", "cannot be a side of a race")]
    [InlineData("race [pagedaemon page 0 clean] [read cpu1 0x1000] -", "cannot be a side of a race")]
    [InlineData("race [race [exit p0] [exit p1] -] [exit p1] -", "one op, not a race")]
    [InlineData("race munmap p0 0x1000 +1 | read cpu1 0x1000 | ab", "a race reads")]
    public void Race_Malformed_IsRejectedWithAReason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => KernelOpParser.Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Race_ReplaySyntax_ParsesBackToTheOp()
    {
        var race = new RaceOp(new ProcExit(0), new PageDaemonOp(3, Spec.Kernel.Process.DaemonAction.Free), "");
        Assert.Equal("race [exit p0] [pagedaemon page 3 free] -", race.ToString());
        Assert.Equal(race, KernelOpParser.Parse(race.ToString()));
    }
}
