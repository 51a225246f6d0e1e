using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Map;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// The map layer: the sorted-list reference against the RB-tree, B+-tree and linked-list maps (the
/// kernel's routines over each container), compared on every entry field. With a /proc/PID/maps capture, every sequence starts from that address space.
/// </summary>
public sealed class MapLayer(IReadOnlyList<MapOp>? prelude = null, bool visible = false) : ILayer<MapOp>
{
    public static readonly MapLayer Instance = new();

    /// <summary>
    /// UnchunkedAmap (no 64 KiB clipping at fault time, one sparse amap per entry) against the reference,
    /// compared on the process-visible observation: its entries differ from the kernel's by design.
    /// </summary>
    public static readonly MapLayer Unchunked = new(visible: true);

    public bool Visible { get; } = visible;

    /// <summary>
    /// The B+-tree's fan-out in differential runs: small, so that sequences of a few ops split, merge and
    /// redistribute nodes. The benchmarks run the fan-out chosen by measurement.
    /// </summary>
    public const int TestFanout = 4;

    public IReadOnlyList<MapOp>? Prelude { get; } = prelude;

    /// <summary>The layer as the command line builds it.</summary>
    public static ILayer<MapOp> Create(LayerOptions options)
    {
        options.AcceptOnly("map", maps: true);
        return options.MapsFile is { } path ? new MapLayer(ProcMaps.Load(path)) : Instance;
    }

    /// <summary>Where the prelude's mappings start and end: the generator aims at them.</summary>
    private readonly ulong[] _anchors = AnchorsOf(prelude);

    private static ulong[] AnchorsOf(IReadOnlyList<MapOp>? prelude)
    {
        if (prelude is null)
            return [];
        var anchors = new List<ulong>();
        foreach (var op in prelude)
        {
            if (op is RangeOp r)
            {
                anchors.Add(r.Addr);
                anchors.Add(r.End);
            }
        }
        return [.. anchors];
    }

    public string Name => "map";

    public ISide<MapOp> CreateReference() => new MapSide("reference", new ReferenceMap(), Prelude, visible: Visible);

    public IReadOnlyList<ISide<MapOp>> CreateImplementations(FaultSet faults)
    {
        string suffix = faults.IsNone ? "" : "+" + faults;
        if (Visible)
        {
            var unchunked = new TreeVmMap(new RbTreeIndex(), faults, chunkAtFault: false);
            return [new MapSide("unchunked-amap" + suffix, unchunked, Prelude, unchunked.Probes, visible: true)];
        }
        var rb = new TreeVmMap(new RbTreeIndex(), faults);
        var btree = new TreeVmMap(
            new BTreeIndex(
                TestFanout,
                TestFanout,
                faults.Has(MapFaults.BTreeSplitLosesBoundary),
                faults.Has(MapFaults.BTreeMergeDropsKey)
            ),
            faults
        );
        var list = new TreeVmMap(new SortedListIndex(), faults);
        return
        [
            new MapSide("rbtree" + suffix, rb, Prelude, rb.Probes),
            new MapSide("btree" + suffix, btree, Prelude, btree.Probes),
            new MapSide("list" + suffix, list, Prelude, list.Probes),
        ];
    }

    public MapOp Parse(string line) => MapOpParser.Parse(line);

    public IReadOnlyList<string> OpKinds { get; } =
    ["Mmap", "MmapAny", "Munmap", "Mprotect", "Minherit", "Mimmutable", "Madvise", "Mlock", "Munlock", "Fault"];

    public int KindOf(MapOp op) =>
        op switch
        {
            Mmap => 0,
            MmapAny => 1,
            Munmap => 2,
            Mprotect => 3,
            Minherit => 4,
            Mimmutable => 5,
            Madvise => 6,
            Mlock => 7,
            Munlock => 8,
            _ => 9,
        };

    public IReadOnlyList<string> Probes => MapProbes.Names;

    public void Generate(ref Rng rng, int maxOps, List<MapOp> into) => MapGen.Sequence(ref rng, maxOps, into, _anchors);

    public IEnumerable<MapOp[]> Shrink(MapOp[] ops) => MapShrink.List(ops);
}
