using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Map;
using UvmDiff.Spec.Map;

namespace UvmDiff.Bench;

/// <summary>
/// Seed 001's question on its own numbers: the kernel's map routines over the 6,849-entry Firefox-sized
/// map (<see cref="FirefoxScenario"/>), with the entries in the original UVM sorted list, OpenBSD's RB
/// tree, or a B+-tree of fan-out 4 to 64. Each machine is built once per structure; the clip and
/// chunking benchmarks rebuild it before each iteration, since they change the map.
/// </summary>
public static class MapMachines
{
    public static readonly string[] Structures =
    [
        "list",
        "rbtree",
        "btree4",
        "btree8",
        "btree16",
        "btree32",
        "btree64",
    ];

    public static IEntryIndex Index(string structure) =>
        structure switch
        {
            "list" => new SortedListIndex(),
            "rbtree" => new RbTreeIndex(),
            _ => new BTreeIndex(
                int.Parse(structure[5..], CultureInfo.InvariantCulture),
                int.Parse(structure[5..], CultureInfo.InvariantCulture)
            ),
        };

    public static TreeVmMap Build(string structure)
    {
        var map = new TreeVmMap(Index(structure), FaultSet.None);
        var side = new MapSide(structure, map);
        foreach (var op in FirefoxScenario.Ops)
        {
            if (side.Apply(op) != Outcome.Ok)
                throw new InvalidOperationException($"{structure}: {op} failed while building the map");
        }
        return map;
    }

    /// <summary>1,024 addresses inside mapped entries and their free space, from a fixed seed.</summary>
    public static ulong[] LookupAddresses(TreeVmMap map)
    {
        var entries = new List<VmEntry>();
        for (var e = map.Index.First; e is not null; e = map.Index.Next(e))
            entries.Add(e);
        var rng = new Rng(1024);
        var addresses = new ulong[1024];
        for (int i = 0; i < addresses.Length; i++)
        {
            var e = entries[rng.Below(entries.Count)];
            ulong span = (e.FreeEnd - e.Start) / MapConst.PageSize;
            addresses[i] = e.Start + (ulong)rng.Below((int)Math.Min(span, int.MaxValue)) * MapConst.PageSize;
        }
        return addresses;
    }

    /// <summary>The second page of 64 file entries of three pages or more, spread over the map: each mprotect clips twice.</summary>
    public static ulong[] ClipTargets(TreeVmMap map)
    {
        var candidates = new List<ulong>();
        for (var e = map.Index.First; e is not null; e = map.Index.Next(e))
        {
            if (e.Obj != 0 && e.Pages >= 3)
                candidates.Add(e.Start + MapConst.PageSize);
        }
        var targets = new ulong[64];
        for (int i = 0; i < targets.Length; i++)
            targets[i] = candidates[i * candidates.Count / targets.Length];
        return targets;
    }

    public const ulong FreshBase = 0x6000_0000_0000;

    /// <summary>64 fresh 1 MiB private mappings above everything else, to be chunked by one fault each.</summary>
    public static void MapFresh(TreeVmMap map)
    {
        for (int i = 0; i < 64; i++)
        {
            if (
                map.MapFixed(FreshBase + (ulong)i * (2UL << 20), 1UL << 20, Prot.RW, Prot.RWX, MapKind.Private, 0, 0) is
                { } error
            )
                throw new InvalidOperationException($"fresh mapping {i}: {error}");
        }
    }

    public static readonly ulong[] FitSizes = [0x10000, 0x100000, 0x1000000, 0x10000000];
}

[Config(typeof(MapBenchmarkConfig))]
public class MapBenchmarks
{
    private TreeVmMap _map = null!;
    private ulong[] _addresses = [];
    private ulong[] _targets = [];

    [Params("list", "rbtree", "btree8", "btree16", "btree32", "btree64")]
    public string Structure { get; set; } = "rbtree";

    [GlobalSetup]
    public void Setup()
    {
        _map = MapMachines.Build(Structure);
        _addresses = MapMachines.LookupAddresses(_map);
        _targets = MapMachines.ClipTargets(_map);
    }

    [IterationSetup(Targets = [nameof(MprotectOnePageInsideAnEntry), nameof(FaultChunksAFresh1MiBEntry)])]
    public void Rebuild()
    {
        _map = MapMachines.Build(Structure);
        MapMachines.MapFresh(_map);
    }

    [Benchmark(OperationsPerInvoke = 1024)]
    public ulong Lookup()
    {
        ulong sum = 0;
        foreach (ulong a in _addresses)
            sum += _map.Index.ByAddr(a)!.Start;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public int FirstFit()
    {
        int found = 0;
        for (int i = 0; i < 64; i++)
        {
            if (_map.Index.FirstFit(MapMachines.FitSizes[i & 3]) is not null)
                found++;
        }
        return found;
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public void MprotectOnePageInsideAnEntry()
    {
        foreach (ulong a in _targets)
            _map.Protect(a, a + MapConst.PageSize, Prot.RX);
    }

    [Benchmark(OperationsPerInvoke = 64)]
    public void FaultChunksAFresh1MiBEntry()
    {
        for (int i = 0; i < 64; i++)
            _map.Fault(MapMachines.FreshBase + (ulong)i * (2UL << 20) + 0x85000, Prot.W);
    }
}

/// <summary>The deterministic work per operation of <see cref="MapBenchmarks"/>, per structure.</summary>
public sealed record MapWork(
    string Structure,
    int Entries,
    int Depth,
    double Lookup,
    double FirstFit,
    double Clip,
    double ClipMoved,
    double Chunk,
    double ChunkMoved
);

public static class MapCounters
{
    private static readonly Lazy<IReadOnlyList<MapWork>> s_rows = new(() =>
        [.. MapMachines.Structures.Select(Measure)]
    );

    public static IReadOnlyList<MapWork> All => s_rows.Value;

    public static MapWork Of(string structure) => All.First(w => w.Structure == structure);

    public static MapWork Measure(string structure)
    {
        var map = MapMachines.Build(structure);
        var index = map.Index;
        int entries = index.Count;
        int depth = index.Depth;
        var addresses = MapMachines.LookupAddresses(map);
        var targets = MapMachines.ClipTargets(map);
        MapMachines.MapFresh(map);

        index.Visited = 0;
        foreach (ulong a in addresses)
            index.ByAddr(a);
        double lookup = (double)index.Visited / addresses.Length;

        index.Visited = 0;
        for (int i = 0; i < 64; i++)
            index.FirstFit(MapMachines.FitSizes[i & 3]);
        double fit = index.Visited / 64.0;

        index.Visited = 0;
        long moved = index.Moved;
        foreach (ulong a in targets)
            map.Protect(a, a + MapConst.PageSize, Prot.RX);
        double clip = index.Visited / 64.0;
        double clipMoved = (index.Moved - moved) / 64.0;

        index.Visited = 0;
        moved = index.Moved;
        for (int i = 0; i < 64; i++)
            map.Fault(MapMachines.FreshBase + (ulong)i * (2UL << 20) + 0x85000, Prot.W);
        double chunk = index.Visited / 64.0;
        double chunkMoved = (index.Moved - moved) / 64.0;
        return new MapWork(structure, entries, depth, lookup, fit, clip, clipMoved, chunk, chunkMoved);
    }

    public static void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(
            $"map layer, seed 001's Firefox-sized map ({FirefoxScenario.Entries:N0} entries, {FirefoxScenario.Chunks} of 64 KiB): nodes visited per operation"
        );
        output.WriteLine(
            "structure  entries  depth   lookup  first-fit  mprotect(1 page)  moved  fault-chunk(1 MiB)  moved"
        );
        foreach (var w in All)
        {
            output.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{w.Structure, -9}  {w.Entries, 7}  {w.Depth, 5}  {w.Lookup, 7:0.0}  {w.FirstFit, 9:0.0}  {w.Clip, 16:0.0}  {w.ClipMoved, 5:0.0}  {w.Chunk, 18:0.0}  {w.ChunkMoved, 5:0.0}"
                )
            );
        }
    }
}

/// <summary>Puts the counters of <see cref="MapCounters"/> beside each map benchmark's time.</summary>
public sealed class MapWorkColumn : IColumn
{
    public string Id => nameof(MapWorkColumn);

    public string ColumnName => "Nodes/op";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "index nodes (list cells, tree nodes) visited per operation, from MapCounters";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = MapCounters.Of((string)benchmarkCase.Parameters["Structure"]);
        double value = benchmarkCase.Descriptor.WorkloadMethod.Name switch
        {
            nameof(MapBenchmarks.Lookup) => work.Lookup,
            nameof(MapBenchmarks.FirstFit) => work.FirstFit,
            nameof(MapBenchmarks.MprotectOnePageInsideAnEntry) => work.Clip,
            _ => work.Chunk,
        };
        return value.ToString("0.0", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}

public sealed class MapBenchmarkConfig : ManualConfig
{
    public MapBenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(new MapWorkColumn());
    }
}
