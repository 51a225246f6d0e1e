using UvmDiff.Cli;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>uvmdiff explore's exit codes and its trace: 0 every schedule passed, 1 a failing schedule, 2 bad input.</summary>
[Collection("Console")]
public sealed class ExploreCommandTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), $"uvmdiff-explore-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_out))
            Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public void Explore_ShippedProgramsOnTheDiffAsPosted_ExitsZero() =>
        Assert.Equal(UvmDiffCommand.ExitOk, Quietly(["explore", "--seconds", "20", "--out", _out]));

    [Fact]
    public void Explore_WithAFault_ExitsOneAndWritesAReplayableTrace()
    {
        int exit = Quietly(["explore", "--fault", "WiredPlainLoadStore", "--impl", "after", "--out", _out]);
        Assert.Equal(UvmDiffCommand.ExitDiverged, exit);
        string trace = Assert.Single(Directory.GetFiles(_out, "*.trace"));
        Assert.Equal(UvmDiffCommand.ExitDiverged, Quietly(["replay", trace, "--fault", "WiredPlainLoadStore"]));
        Assert.Equal(UvmDiffCommand.ExitOk, Quietly(["replay", trace]));
    }

    [Theory]
    [InlineData("--impl", "sideways")]
    [InlineData("--program", "Program(slots: [kmem|wired], a: [Fault(0)])")]
    [InlineData("--fault", "NoPrefetch")]
    [InlineData("--generate", "0")]
    public void Explore_BadInput_ExitsTwo(string option, string value) =>
        Assert.Equal(UvmDiffCommand.ExitUsage, Quietly(["explore", option, value, "--out", _out]));

    private static int Quietly(string[] args)
    {
        var stdout = Console.Out;
        var stderr = Console.Error;
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            return UvmDiffCommand.Run(args);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }
}
