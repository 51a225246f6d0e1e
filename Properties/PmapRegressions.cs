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
    public static TheoryData<string> Traces() => RegressionTraces.Files("pmap");

    /// <summary>The traces that name a fault; the others caught a bug of a machine and only have to pass.</summary>
    public static TheoryData<string> FaultTraces() => RegressionTraces.Files("pmap", namingAFault: true);

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnDefaultMachines_ReplaysWithoutDivergence(string file) =>
        RegressionTraces.AssertPasses(PmapLayer.Both, "pmap", file);

    /// <summary>And at its last step: the trace is shrunk, nothing after the divergence is needed.</summary>
    [Theory]
    [MemberData(nameof(FaultTraces))]
    public void Trace_WithTheFaultItWasFoundWith_StillDiverges(string file)
    {
        var divergence = RegressionTraces.AssertDivergesWithItsFault(PmapLayer.Both, "pmap", file);
        Assert.Equal(divergence.Steps, divergence.Step);
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
}
