using UvmDiff.Cli;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Kernel;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Objects;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The kernel's flush asleep (<c>FLUSH while OP [then OP]</c>): its syntax, and the fault it brings within reach.</summary>
[Collection("Console")]
public class KernelFlushAsleepTests
{
    [Theory]
    [InlineData("msync p0 0x10000000 +1 sync while", "each followed by an op")]
    [InlineData("msync p0 0x10000000 +1 sync while read cpu1 0x1000 then", "each followed by an op")]
    [InlineData("mmap p0 any +1 rw- private while read cpu1 0x1000", "does not flush")]
    [InlineData("exit p0 during clear_reference page 1 at 2 while read cpu1 0x1000", "does not flush")]
    [InlineData("msync p0 0x10000000 +1 sync while mmap p1 any +1 rw- private", "cannot run while a flush sleeps")]
    [InlineData("munmap p0 0x10000000 +1 while msync p1 0x1000 +1 sync", "cannot run while a flush sleeps")]
    [InlineData("exit p0 while read cpu1 0x1000 then read cpu1 0x2000 then exit p2", "at most two ops")]
    [InlineData("exit p0 while read cpu1 0x1000 while exit p2", "at most two ops")]
    [InlineData("exit p0 while read cpu9 0x1000", "is not a CPU")]
    public void Parser_RejectsWhatCannotRunWhileAFlushSleeps_InOneLine(string line, string message)
    {
        string error = Assert.Throws<FormatException>(() => KernelOpParser.Parse(line)).Message;
        Assert.Contains(message, error);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("msync p0 0x10000000 +4 invalidate while pagedaemon page 0 free then read cpu1 0x10002000")]
    [InlineData("madvise p1 0x1000 +2 free while exit p2")]
    [InlineData("munmap p0 0x10000000 +2 while switch cpu1 idle then write cpu1 0x3000")]
    [InlineData("exit p2 while munmap p1 0x1000 +1")]
    public void Op_PrintsWhatTheParserReads(string line) => Assert.Equal(line, KernelOpParser.Parse(line).ToString());

    /// <summary>
    /// RestartOffsetReadAfterSleep from the kernel level: the msync's flush sleeps on the page under pageout,
    /// which the page daemon frees and p1's fault takes for offset 0x2000; restarting from the page's offset
    /// skips the dirty page at 0x1000, which stays resident and mapped.
    /// </summary>
    [Fact]
    public void RestartOffsetReadAfterSleep_PageReusedForAnotherOffset_Diverges()
    {
        string[] trace =
        [
            "switch cpu0 p0",
            "mmap p0 0x10000000 +4 rw- file 1 0x0 shared",
            "write cpu0 0x10000000",
            "write cpu0 0x10001000",
            "mmap p1 0x10000000 +4 rw- file 1 0x0 shared",
            "switch cpu1 p1",
            "pagedaemon page 0 deactivate",
            "pagedaemon page 0 pageout",
            "msync p0 0x10000000 +4 invalidate while pagedaemon page 0 free then read cpu1 0x10002000",
        ];
        var ops = trace.Select(KernelLayer.Instance.Parse).ToArray();
        var faults = FaultSet.Of(ObjectFaults.RestartOffsetReadAfterSleep);
        Assert.NotNull(new Differential<KernelOp>(KernelLayer.Instance, faults).Run(ops, count: false));
        Assert.Null(new Differential<KernelOp>(KernelLayer.Instance, FaultSet.None).Run(ops, count: false));
    }

    [Theory]
    [InlineData("kernel", "NoSuchFault")]
    [InlineData("map", "RestartOffsetReadAfterSleep")]
    public void FaultsCommand_AFaultItCannotRun_ExitsTwo(string layer, string fault)
    {
        var stdout = Console.Out;
        var stderr = Console.Error;
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            Assert.Equal(
                UvmDiffCommand.ExitUsage,
                UvmDiffCommand.Run(["faults", "--layer", layer, "--fault", fault, "--seconds", "1"])
            );
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
