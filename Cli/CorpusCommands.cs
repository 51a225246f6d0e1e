using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>uvmdiff corpus: what a campaign's corpus holds, and turning one of its traces into a regression.</summary>
public static class CorpusCommands
{
    public static int List(string directory)
    {
        if (!Directory.Exists(directory))
            throw new UsageException($"{directory}: no such directory");
        var entries = Corpus.Read(directory);
        if (entries.Count == 0)
        {
            Console.WriteLine($"{directory}: no counterexamples");
            return UvmDiffCommand.ExitOk;
        }
        Console.WriteLine($"{"signature", -12}  {"count", 8}  {"ops", 3}  trace / first seen / signature");
        foreach (var entry in entries.OrderByDescending(e => e.Count).ThenBy(e => e.Hash, StringComparer.Ordinal))
        {
            Console.WriteLine($"{entry.Hash, -12}  {entry.Count, 8:N0}  {entry.Length, 3}  {entry.Path}");
            Console.WriteLine($"{"", 30}first seen: {entry.FirstSeen}; faults {entry.Faults}");
            Console.WriteLine($"{"", 30}{entry.Signature}");
        }
        return UvmDiffCommand.ExitOk;
    }

    /// <summary>
    /// uvmdiff corpus promote SIG: copy the corpus trace whose signature hash starts with SIG to the
    /// regressions directory, headed by the fault it was found with, after checking that it diverges with
    /// that fault and not without it (what the regression test will demand).
    /// </summary>
    public static int Promote(string directory, string signature, string regressions, string? faultName)
    {
        var matches = Corpus
            .Read(directory)
            .Where(e => e.Hash.StartsWith(signature, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (matches.Count == 0)
            throw new UsageException($"{directory}: no signature starting with '{signature}'");
        if (matches.Count > 1)
            throw new UsageException(
                $"{directory}: '{signature}' matches {matches.Count} signatures ({string.Join(", ", matches.Select(m => m.Hash))})"
            );
        var entry = matches[0];
        var fault = faultName is null
            ? FaultCatalog.All.FirstOrDefault(f => FaultSet.Of(f).ToString() == entry.Faults)
            : FaultCatalog.Find(faultName) ?? throw new UsageException($"unknown fault '{faultName}'");
        if (fault is null)
            throw new UsageException(
                $"{entry.Hash} was found with faults '{entry.Faults}', which is not one catalog fault: "
                    + "name the fault that reproduces it with --fault (a real bug needs a fault modelling it first)"
            );
        var layer = Layers.Find(entry.Layer) ?? throw new UsageException($"unknown layer '{entry.Layer}'");
        string? problem = layer.Accept(new RegressionCheck(entry.Path, FaultSet.Of(fault)), LayerOptions.None);
        if (problem is not null)
            throw new UsageException($"{entry.Hash}: {problem}");

        var lines = File.ReadAllLines(entry.Path).ToList();
        int header = lines.FindIndex(l => l.StartsWith("# layer:", StringComparison.Ordinal));
        lines.Insert(header + 1, $"# regression-fault: {fault.Name}");
        string path;
        try
        {
            path = TraceFile.WriteNew(regressions, $"{entry.Layer}-{entry.Hash}", string.Join('\n', lines) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write to {regressions}: {e.Message}");
        }
        Console.WriteLine($"promoted {entry.Hash} to {path} (regression-fault: {fault.Name})");
        return UvmDiffCommand.ExitOk;
    }

    /// <summary>null when the trace diverges with the fault and passes without it, else why not.</summary>
    private sealed class RegressionCheck(string path, FaultSet faults) : ILayerVisitor<string?>
    {
        public string? Visit<TOp>(ILayer<TOp> layer)
            where TOp : class
        {
            List<TOp> ops;
            try
            {
                ops = TraceFile.Read(layer, path);
            }
            catch (TraceFormatException e)
            {
                return e.Message;
            }
            if (new Differential<TOp>(layer, faults).Run(ops, count: false) is null)
                return $"the trace no longer diverges with {faults}";
            if (new Differential<TOp>(layer, FaultSet.None).Run(ops, count: false) is { } divergence)
                return $"the trace diverges on the default implementation too:\n{divergence.Report()}";
            return null;
        }
    }
}
