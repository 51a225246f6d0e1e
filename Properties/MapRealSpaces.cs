using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using UvmDiff.Spec.Map;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The map layer on real address spaces: /proc/PID/maps captures and seed 001's Firefox-sized map.</summary>
public class MapRealSpaces
{
    private static string TestData([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "TestData", "proc-maps");

    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestData(), "*.maps").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    /// <summary>Short random sequences on top of each capture: no divergence.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_WithRandomSequencesOnTop_NeverDiverges(string file)
    {
        var layer = new MapLayer(ProcMaps.Load(Path.Combine(TestData(), file)));
        Assert.Null(Run(layer, sequences: file.StartsWith("dotnet", StringComparison.Ordinal) ? 20 : 200));
    }

    /// <summary>This machine's own address space, read at test time, loads and takes random sequences.</summary>
    [Fact]
    public void SelfMaps_WhereTheyExist_LoadAndNeverDiverge()
    {
        if (!File.Exists("/proc/self/maps"))
            return;
        var layer = new MapLayer(ProcMaps.Parse("/proc/self/maps", File.ReadAllLines("/proc/self/maps")));
        Assert.Null(Run(layer, sequences: 10));
    }

    [Fact]
    public void CorruptedCapture_IsReportedWithFileAndLine()
    {
        string[] lines =
        [
            "55c87c80e000-55c87c810000 r--p 00000000 fe:00 248174 sleep",
            "55c87c810000-55c87c815000 r-zp 00002000 fe:00 248174 sleep",
        ];
        var error = Assert.Throws<LayerOptionException>(() => ProcMaps.Parse("bad.maps", lines));
        Assert.Equal("bad.maps:2: permissions 'r-zp' are not like 'rw-p'", error.Message);
    }

    /// <summary>Seed 001's Firefox-sized map: 6,849 entries, 457 of them 64 KiB chunks, then a short differential run.</summary>
    [Fact]
    public void FirefoxSizedMap_HasTheSeedsCountsAndNeverDiverges()
    {
        var layer = new MapLayer(FirefoxScenario.Ops);
        var runner = new Differential<MapOp>(layer, FaultSet.None);
        Assert.Null(Run(runner, layer, sequences: 4));
        runner.Reference.Reset();
        var entries = ((ReferenceMap)((MapSide)runner.Reference).Machine).Map.Entries;
        Assert.Equal(FirefoxScenario.Entries, entries.Count);
        Assert.Equal(FirefoxScenario.Chunks, entries.Count(e => e.End - e.Start == MapConst.ChunkBytes));
    }

    private static string? Run(MapLayer layer, int sequences) =>
        Run(new Differential<MapOp>(layer, FaultSet.None), layer, sequences);

    private static string? Run(Differential<MapOp> runner, MapLayer layer, int sequences)
    {
        var rng = new Rng(7);
        var ops = new List<MapOp>();
        for (int i = 0; i < sequences; i++)
        {
            ops.Clear();
            layer.Generate(ref rng, 20, ops);
            if (runner.Run(ops) is { } divergence)
                return string.Join("\n", ops) + "\n" + divergence.Report();
        }
        return null;
    }
}
