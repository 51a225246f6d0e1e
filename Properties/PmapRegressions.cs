using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Pmap;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The pmap layer's regressions (Regressions/pmap/, seed 004 chiefly): each trace passes on every
/// default machine of both architectures, and one whose header names a fault diverges with it.
/// </summary>
public class PmapRegressions
{
    private const string FaultHeader = "# regression-fault:";

    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(), "*.trace").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    /// <summary>The traces that name a fault; the others caught a bug of a machine and only have to pass.</summary>
    public static TheoryData<string> FaultTraces()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(), "*.trace").Order(StringComparer.Ordinal))
        {
            if (File.ReadLines(path).Any(l => l.StartsWith(FaultHeader, StringComparison.Ordinal)))
                data.Add(Path.GetFileName(path));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnDefaultMachines_ReplaysWithoutDivergence(string file)
    {
        var ops = TraceFile.Read(PmapLayer.Both, Path.Combine(Folder(), file));
        var divergence = new Differential<PmapOp>(PmapLayer.Both, FaultSet.None).Run(ops);
        Assert.True(divergence is null, divergence?.Report());
    }

    [Theory]
    [MemberData(nameof(FaultTraces))]
    public void Trace_WithTheFaultItWasFoundWith_StillDiverges(string file)
    {
        string path = Path.Combine(Folder(), file);
        string header = File.ReadLines(path).First(l => l.StartsWith(FaultHeader, StringComparison.Ordinal));
        var fault = FaultCatalog.Find(header[FaultHeader.Length..].Trim())!;
        var ops = TraceFile.Read(PmapLayer.Both, path);
        var divergence = new Differential<PmapOp>(PmapLayer.Both, FaultSet.Of(fault)).Run(ops);
        Assert.NotNull(divergence);
        Assert.Equal(ops.Count, divergence.Step);
    }

    /// <summary>The reported panic needs the diff: 1.113's teardown with the same PV walks at every point panics nowhere.</summary>
    [Fact]
    public void PvWalkAtEveryTeardownPoint_On1113_NeverPanics()
    {
        var runner = new Differential<PmapOp>(PmapLayer.Arm64, FaultSet.None);
        foreach (var kind in Enum.GetValues<Spec.Pmap.PvWalkKind>())
        {
            for (int point = 0; point < 4; point++)
            {
                PmapOp[] ops =
                [
                    new Enter(0, 0x3fc000, 0, Spec.Pmap.Prot.Read, Spec.Pmap.Prot.Read),
                    new Enter(0, 0x3fd000, 0, Spec.Pmap.Prot.All, Spec.Pmap.Prot.Write, Wired: true),
                    new Enter(1, 0x3fc000, 0, Spec.Pmap.Prot.Read, Spec.Pmap.Prot.Read),
                    new Enter(0, 0x40000000, 0, Spec.Pmap.Prot.Read, Spec.Pmap.Prot.None),
                    new Exit(0, new Spec.Pmap.PvWalk(point, kind, 0)),
                    new PageOp(PageQuery.IsReferenced, 0),
                ];
                var divergence = runner.Run(ops);
                Assert.True(divergence is null, divergence?.Report());
            }
        }
    }

    private static string Folder([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Regressions", "pmap");
}
