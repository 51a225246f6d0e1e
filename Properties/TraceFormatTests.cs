using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>Replay syntax and trace files: what ops print parses back, and bad input is named precisely.</summary>
public class TraceFormatTests
{
    [Property(Arbitrary = [typeof(ObjectSequences)], MaxTest = 500, QuietOnSuccess = true)]
    public void GeneratedOps_PrintedAndParsed_RoundTripExactly(Sequence<ObjOp> ops)
    {
        foreach (var op in ops.Ops)
        {
            var parsed = ObjOpParser.Parse(op.ToString()!);
            Assert.True(parsed.Equals(op) && parsed.ToString() == op.ToString(), $"{op} parsed as {parsed}");
        }
    }

    [Fact]
    public void TraceFile_FormattedThenParsed_GivesTheSameOps()
    {
        ObjOp[] ops =
        [
            new Alloc(1, 0x3000),
            new Flush(
                2,
                0x1000,
                0x9800,
                Spec.Objects.PgoFlags.CleanIt | Spec.Objects.PgoFlags.Free,
                new Interference([
                    [new Act(ActKind.Free, Act.Here), new Act(ActKind.Insert, 0x1000)],
                    [new Act(ActKind.IoError, 0)],
                ])
            ),
            new KmPgremove(ObjectGen.Va(0), ObjectGen.Va(0x4000), Interference.None),
        ];
        string text = TraceFile.Format("objects", ops, ["a comment", "over two\nlines"]);
        var parsed = TraceFile.Parse(ObjectLayer.Instance, "t.trace", text.Split('\n'));
        Assert.Equal(ops, parsed);
        Assert.Contains(
            "Flush(obj: 2, start: 0x1000, stop: 0x9800, flags: CleanIt|Free, interference: [Free(here)+Insert(0x1000), IoError])",
            text
        );
    }

    [Theory]
    [InlineData("Allok(obj: 1, off: 0x0)", "unknown operation 'Allok'")]
    [InlineData("Alloc(obj: 1)", "Alloc: missing argument 'off'")]
    [InlineData("Alloc(obj: 1, off: 0x1234)", "Alloc: off 0x1234 is not page-aligned")]
    [InlineData("Alloc(obj: 7, off: 0x0)", "Alloc: no object 7")]
    [InlineData("Alloc(obj: 1, off: 0x0", "expected ',' or ')'")]
    [InlineData("Flush(obj: 2, start: 0x0 stop: 0x1000, flags: Free)", "column 26: expected ',' or ')'")]
    [InlineData("Alloc(obj: 1, off: zz)", "Alloc: off must be a number")]
    [InlineData("Wire(obj: 1, start: 0x3000, stop: 0x1000)", "Wire: start 0x3000 is above stop 0x1000")]
    [InlineData("Flush(obj: 2, start: 0x0, stop: 0x1000, flags: CleanIt|Purge)", "Flush: unknown flag 'Purge'")]
    [InlineData(
        "Flush(obj: 2, start: 0x0, stop: 0x1000, flags: Free, interference: [Smash(here)])",
        "interference acts are"
    )]
    [InlineData(
        "KmPgremove(sva: 0xffff800000000800, eva: 0xffff800000002000)",
        "KmPgremove: addresses must be page-aligned"
    )]
    [InlineData("KmPgremove(sva: 0x1000, eva: 0x2000)", "is not a range inside the kernel object")]
    [InlineData(
        "KmPgremove(sva: 0xffff800000001000, eva: 0xffff800000008000, interference: [Insert(0x6000)])",
        "KmPgremove: interference cannot Insert: kernel_map is locked"
    )]
    public void MalformedLine_InTrace_IsReportedWithFileLineAndReason(string line, string reason)
    {
        string[] lines = ["# uvmdiff trace v1", "# layer: objects", "Alloc(obj: 1, off: 0x0)", line];
        var error = Assert.Throws<TraceFormatException>(() =>
            TraceFile.Parse(ObjectLayer.Instance, "bad.trace", lines)
        );
        Assert.StartsWith("bad.trace:4: ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TraceOfAnotherLayer_IsRejectedAtItsHeader()
    {
        string[] lines = ["# layer: pmap", "Alloc(obj: 1, off: 0x0)"];
        var error = Assert.Throws<TraceFormatException>(() => TraceFile.Parse(ObjectLayer.Instance, "x.trace", lines));
        Assert.Equal("x.trace:1: trace is for layer 'pmap', not 'objects'", error.Message);
    }

    [Fact]
    public void TraceWithoutOps_IsRejected()
    {
        var error = Assert.Throws<TraceFormatException>(() =>
            TraceFile.Parse(ObjectLayer.Instance, "e.trace", ["# nothing"])
        );
        Assert.Equal("e.trace: no operations in trace", error.Message);
    }

    [Fact]
    public void WriteNew_WhenNameIsTaken_KeepsTheOldFileAndPicksAnotherName()
    {
        string dir = Path.Combine(Path.GetTempPath(), "uvmdiff-trace-" + Guid.NewGuid().ToString("n"));
        try
        {
            string first = TraceFile.WriteNew(dir, "same", "one\n");
            string second = TraceFile.WriteNew(dir, "same", "two\n");
            Assert.NotEqual(first, second);
            Assert.Equal("one\n", File.ReadAllText(first));
            Assert.Equal("two\n", File.ReadAllText(second));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
