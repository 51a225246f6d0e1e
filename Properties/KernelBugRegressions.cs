using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Traces under Regressions/kernel/ show a bug of the kernel itself, mirrored by the reference: every
/// side agrees on them, and what they pin is the outcome. Each names with "# lost: data N" the contents
/// its last op destroys: present somewhere (a page, a swap slot, a file block) before that op, nowhere after.
/// </summary>
public class KernelBugRegressions
{
    private const string LostHeader = "# lost:";

    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(), "*.trace").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_OnEverySide_AgreesAndItsLastOpLosesTheContents(string file)
    {
        string path = Path.Combine(Folder(), file);
        var ops = TraceFile.Read(ObjectLayer.Instance, path);
        var divergence = new Differential<ObjOp>(ObjectLayer.Instance, FaultSet.None).Run(ops);
        Assert.True(divergence is null, divergence?.Report());

        string? header = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(LostHeader, StringComparison.Ordinal));
        Assert.True(header is not null, $"{file}: no '{LostHeader} data N' header naming the contents lost");
        string lost = header![LostHeader.Length..].Trim();

        var reference = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (var op in ops.Take(ops.Count - 1))
            Assert.False(reference.Apply(op).IsFatal);
        Assert.Contains(
            reference.Observe(),
            line => line.EndsWith(" " + lost, StringComparison.Ordinal) || line.Contains(" " + lost + " ")
        );
        Assert.Equal(Outcome.Ok, reference.Apply(ops[^1]) with { Sleeps = 0 });
        Assert.DoesNotContain(
            reference.Observe(),
            line => line.EndsWith(" " + lost, StringComparison.Ordinal) || line.Contains(" " + lost + " ")
        );
    }

    private static string Folder([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Regressions", "kernel");
}
