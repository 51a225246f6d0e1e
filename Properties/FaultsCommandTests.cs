using UvmDiff.Cli;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>uvmdiff faults --fault: a name the catalog or the chosen layer does not have is bad input, one line, exit 2.</summary>
[Collection("Console")]
public sealed class FaultsCommandTests
{
    [Theory]
    [InlineData("kernel", "NoSuchFault")]
    [InlineData("all", "NoSuchFault")]
    [InlineData("map", "KmPgremoveResidentOnlySwap")]
    public void Faults_UnknownOrForeignFault_ExitsTwoWithOneLine(string layer, string fault)
    {
        var stderr = Console.Error;
        var stdout = Console.Out;
        var error = new StringWriter();
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(error);
            Assert.Equal(UvmDiffCommand.ExitUsage, UvmDiffCommand.Run(["faults", "--layer", layer, "--fault", fault]));
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
