using System.Runtime.CompilerServices;
using UvmDiff.Harness.Concurrency;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Every trace under Regressions/concurrency/ is a shrunk schedule that found a seed 002 hazard once. Each is replayed forever: it must pass on
/// the default implementation, and, when its header names the fault it was found with
/// ("# regression-fault: NAME"), still diverge with that fault switched on.
/// </summary>
public class ConcurrencyRegressions
{
    private const string FaultHeader = "# regression-fault:";

    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(), "*.trace").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnDefaultImplementation_ReplaysWithoutDivergence(string file)
    {
        var ops = TraceFile.Read(ConcurrencyLayer.Instance, Path.Combine(Folder(), file));
        var divergence = new Differential<ConcurrentProgram>(ConcurrencyLayer.Instance, FaultSet.None).Run(ops);
        Assert.True(divergence is null, divergence?.Report());
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_WithTheFaultItWasFoundWith_StillDiverges(string file)
    {
        string path = Path.Combine(Folder(), file);
        string? header = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(FaultHeader, StringComparison.Ordinal));
        Assert.True(header is not null, $"{file}: no '{FaultHeader} NAME' header naming the bug it caught");
        var fault = FaultCatalog.Find(header![FaultHeader.Length..].Trim());
        Assert.True(fault is not null, $"{file}: unknown fault in '{header}'");
        var ops = TraceFile.Read(ConcurrencyLayer.Instance, path);
        Assert.NotNull(new Differential<ConcurrentProgram>(ConcurrencyLayer.Instance, FaultSet.Of(fault!)).Run(ops));
    }

    private static string Folder([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Regressions", "concurrency");
}
