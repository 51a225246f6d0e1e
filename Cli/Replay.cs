using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>uvmdiff replay: show every step's outcome on the reference, then the differential verdict.</summary>
public sealed class Replay(string path, FaultSet faults) : ILayerVisitor<int>
{
    /// <summary>The layer a trace names in its "# layer:" header. => a UsageException if it names none or an unknown one</summary>
    public static LayerEntry LayerOf(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"{path}: no such file");
        string? name = TraceFile.LayerName(path);
        if (name is null)
            throw new UsageException($"{path}: no '# layer: NAME' header");
        return Layers.Find(name) ?? throw new UsageException($"{path}: unknown layer '{name}'");
    }

    public int Visit<TOp>(ILayer<TOp> layer)
        where TOp : class
    {
        List<TOp> ops;
        try
        {
            ops = TraceFile.Read(layer, path);
        }
        catch (TraceFormatException e)
        {
            throw new UsageException(e.Message);
        }

        var runner = new Differential<TOp>(layer, faults);
        var reference = runner.Reference;
        reference.Reset();
        for (int i = 0; i < ops.Count; i++)
        {
            var outcome = reference.Apply(ops[i]);
            Console.WriteLine($"{i + 1, 3}  {ops[i]}");
            Console.WriteLine($"     => {outcome.Describe(reference)}");
            if (layer is IExplainsRuns<TOp> explains)
                Console.WriteLine(explains.Explain(ops[i], faults));
            if (outcome.IsFatal)
                break;
        }
        Console.WriteLine();
        Console.WriteLine("reference observation after the last step:");
        foreach (var line in reference.Observe())
            Console.WriteLine($"  {line}");
        Console.WriteLine();

        var divergence = runner.Run(ops, count: false);
        if (divergence is null)
        {
            Console.WriteLine(
                $"replay: {ops.Count} ops, layer {layer.Name}, implementation faults {faults}: no divergence"
            );
            return UvmDiffCommand.ExitOk;
        }
        Console.Write(divergence.Report());
        return UvmDiffCommand.ExitDiverged;
    }
}
