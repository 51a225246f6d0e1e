using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>uvmdiff faults: the catalog, and for each fault whether a campaign detects it, how fast, how small.</summary>
public static class FaultTable
{
    public static int Run(double seconds, ulong seed, bool listOnly)
    {
        if (seconds <= 0)
            throw new UsageException("--seconds must be positive");
        if (listOnly)
        {
            foreach (var info in FaultCatalog.All)
                Console.WriteLine($"{info.Name, -30} {info.Provenance}\n{"", -30} {info.Description}");
            return UvmDiffCommand.ExitOk;
        }
        Console.WriteLine($"{"fault", -30} {"detected", -9} {"time", 8} {"shrunk", 7}  provenance");
        int missed = 0;
        foreach (var info in FaultCatalog.All)
        {
            var options = new CampaignOptions(FaultSet.Of(info), seed, Duration: TimeSpan.FromSeconds(seconds));
            var result = Campaign.Run(ObjectLayer.Instance, ObjectGen.Arbitrary(options.MaxOps), options);
            if (!result.Diverged)
                missed++;
            string time = result.Diverged ? $"{(result.Elapsed - result.ShrinkTime).TotalSeconds:0.00}s" : "-";
            string length = result.Diverged ? $"{result.Shrunk!.Length} ops" : "-";
            Console.WriteLine(
                $"{info.Name, -30} {(result.Diverged ? "yes" : "NO"), -9} {time, 8} {length, 7}  {info.Provenance}"
            );
        }
        Console.WriteLine($"{FaultCatalog.All.Count - missed} of {FaultCatalog.All.Count} faults detected");
        return missed == 0 ? UvmDiffCommand.ExitOk : UvmDiffCommand.ExitDiverged;
    }
}
