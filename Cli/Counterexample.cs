using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>Prints a shrunk counterexample and writes it as a replayable trace.</summary>
public static class Counterexample
{
    public static void Print<TOp>(CampaignResult<TOp> result)
    {
        Console.WriteLine();
        Console.Write(result.Divergence!.Report());
        Console.WriteLine();
        Console.WriteLine(
            $"shrunk from {result.Original!.Length} to {result.Shrunk!.Length} ops in {result.ShrinkTime.TotalSeconds:0.0} s:"
        );
        foreach (var op in result.Shrunk)
            Console.WriteLine($"  {op}");
    }

    public static string Write<TOp>(
        string layer,
        CampaignResult<TOp> result,
        FaultSet faults,
        string outDir,
        string command
    )
    {
        var comments = new List<string>
        {
            $"found by: {command}",
            $"implementation faults: {faults}",
            $"shrunk from {result.Original!.Length} ops (batch seed {result.BatchSeed})",
            result.Divergence!.Report(),
        };
        string text = TraceFile.Format(layer, result.Shrunk!, comments);
        string name =
            $"{DateTime.UtcNow:yyyy-MM-ddTHH-mm-ss}-{layer}{(faults == FaultSet.None ? "" : "-" + faults.ToString().Replace('+', '-'))}";
        try
        {
            return TraceFile.WriteNew(outDir, name, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write the trace to {outDir}: {e.Message}");
        }
    }
}
