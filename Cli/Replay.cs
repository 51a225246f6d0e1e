using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>uvmdiff replay: show every step's outcome on the reference, then the differential verdict.</summary>
public static class Replay
{
    public static int Run(string path, FaultSet faults)
    {
        if (!File.Exists(path))
            throw new UsageException($"{path}: no such file");
        List<ObjOp> ops;
        try
        {
            ops = TraceFile.Read(ObjectLayer.Instance, path);
        }
        catch (TraceFormatException e)
        {
            throw new UsageException(e.Message);
        }

        var reference = ObjectLayer.Instance.CreateReference();
        for (int i = 0; i < ops.Count; i++)
        {
            var outcome = reference.Apply(ops[i]);
            Console.WriteLine($"{i + 1, 3}  {ops[i]}");
            Console.WriteLine($"     => {outcome}");
            if (outcome.IsFatal)
                break;
        }
        Console.WriteLine();
        Console.WriteLine("reference observation after the last step:");
        foreach (var line in reference.Observe())
            Console.WriteLine($"  {line}");
        Console.WriteLine();

        var divergence = Runner.Run(ObjectLayer.Instance, ops, faults);
        if (divergence is null)
        {
            Console.WriteLine($"replay: {ops.Count} ops, implementation faults {faults}: no divergence");
            return UvmDiffCommand.ExitOk;
        }
        Console.Write(divergence.Report());
        return UvmDiffCommand.ExitDiverged;
    }
}
