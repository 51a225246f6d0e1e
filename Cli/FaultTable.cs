using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>
/// uvmdiff faults: the catalog, and for each fault of a layer (or the one of <paramref name="only"/>) whether
/// a campaign detects it, how fast, how small.
/// </summary>
public sealed class FaultTable(double seconds, ulong seed, int workers, Fault? only) : ILayerVisitor<int>
{
    public static int List()
    {
        foreach (var fault in FaultCatalog.All)
            Console.WriteLine($"{fault.Name, -36} [{fault.Layer}] {fault.Provenance}\n{"", -36} {fault.Description}");
        return UvmDiffCommand.ExitOk;
    }

    public int Visit<TOp>(ILayer<TOp> layer)
        where TOp : class
    {
        if (seconds <= 0)
            throw new UsageException("--seconds must be positive");
        var faults = layer.Faults.Where(fault => only is null || fault == only).ToList();
        if (faults.Count == 0)
            throw new UsageException($"fault {only} is not one layer {layer.Name} runs");
        Console.WriteLine(
            $"layer {layer.Name}: {faults.Count} faults, seed {seed}, {workers} worker(s), up to {seconds:0.#} s each"
        );
        Console.WriteLine($"{"fault", -36} {"of layer", -12} {"detected", -9} {"time", 8} {"shrunk", 7}  provenance");
        int missed = 0;
        int skipped = 0;
        foreach (var fault in faults)
        {
            if (layer.Unreachable(fault) is { } why)
            {
                skipped++;
                Console.WriteLine($"{fault.Name, -36} {fault.Layer, -12} {"skipped", -9} {"-", 8} {"-", 7}  {why}");
                continue;
            }
            var options = new CampaignOptions(
                FaultSet.Of(fault),
                seed,
                Duration: TimeSpan.FromSeconds(seconds),
                Workers: workers
            );
            var result = Campaign.Run(layer, options);
            var first = result.First;
            if (first is null)
                missed++;
            string time = first is null ? "-" : $"{result.Searching.TotalSeconds:0.00}s";
            string length = first is null ? "-" : $"{first.Shrunk!.Ops.Length} ops";
            Console.WriteLine(
                $"{fault.Name, -36} {fault.Layer, -12} {(first is null ? "NO" : "yes"), -9} {time, 8} {length, 7}  {fault.Provenance}"
            );
        }
        string skips = skipped == 0 ? "" : $" ({skipped} skipped: not reachable as the layer's options built it)";
        Console.WriteLine(
            $"{faults.Count - skipped - missed} of {faults.Count - skipped} faults of layer {layer.Name} detected{skips}"
        );
        return missed == 0 ? UvmDiffCommand.ExitOk : UvmDiffCommand.ExitDiverged;
    }
}
