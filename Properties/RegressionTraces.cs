using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// What every layer's regression theory asserts, in one place. A trace under Regressions/ (a layer's
/// own subfolder, or the top for the object layer) found a real bug once and is replayed forever: it
/// must pass on the default implementations, and, when its header names the fault it was found with
/// ("# regression-fault: NAME"), still diverge with that fault switched on.
/// </summary>
public static class RegressionTraces
{
    public const string FaultHeader = "# regression-fault:";

    /// <summary>The trace files of <paramref name="subfolder"/>; with <paramref name="namingAFault"/>, only those whose header names one.</summary>
    public static TheoryData<string> Files(string subfolder, bool namingAFault = false)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(subfolder), "*.trace").Order(StringComparer.Ordinal))
        {
            if (!namingAFault || FaultLine(path) is not null)
                data.Add(Path.GetFileName(path));
        }
        return data;
    }

    public static void AssertPasses<TOp>(ILayer<TOp> layer, string subfolder, string file)
        where TOp : class
    {
        var ops = TraceFile.Read(layer, Path.Combine(Folder(subfolder), file));
        var divergence = new Differential<TOp>(layer, FaultSet.None).Run(ops);
        Assert.True(divergence is null, divergence?.Report());
    }

    /// <summary>=> the divergence the trace's own fault gives, asserting the header names a known fault</summary>
    public static Divergence AssertDivergesWithItsFault<TOp>(ILayer<TOp> layer, string subfolder, string file)
        where TOp : class
    {
        string path = Path.Combine(Folder(subfolder), file);
        string? header = FaultLine(path);
        Assert.True(header is not null, $"{file}: no '{FaultHeader} NAME' header naming the bug it caught");
        var fault = FaultCatalog.Find(header![FaultHeader.Length..].Trim());
        Assert.True(fault is not null, $"{file}: unknown fault in '{header}'");
        var divergence = new Differential<TOp>(layer, FaultSet.Of(fault!)).Run(TraceFile.Read(layer, path));
        Assert.NotNull(divergence);
        return divergence;
    }

    private static string? FaultLine(string path) =>
        File.ReadLines(path).FirstOrDefault(l => l.StartsWith(FaultHeader, StringComparison.Ordinal));

    private static string Folder(string subfolder, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Regressions", subfolder);
}
