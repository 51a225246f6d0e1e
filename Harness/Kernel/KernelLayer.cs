using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Kernel;
using UvmDiff.Implementations.Map;
using UvmDiff.Implementations.Objects;
using UvmDiff.Implementations.Pmap;
using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Implementations.Pmap.Arm64;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// The whole kernel (first slice): processes whose vmspaces compose a map and a pmap, anonymous memory.
/// The reference kernel runs under both architectures' pmap profiles; each implementation side is an
/// amd64 kernel and an arm64 kernel composed from the implementations: (RB-tree map, amd64 with the
/// kernel's teardown) with (B+-tree map, arm64 1.113), (B+-tree map, amd64 sparse teardown) with
/// (RB-tree map, arm64 with seed 004's teardown), and seed 003's PV-less kernel (<see cref="Seed003"/>).
/// </summary>
public sealed class KernelLayer : ILayer<KernelOp>
{
    public static readonly KernelLayer Instance = new();

    public string Name => "kernel";

    public ISide<KernelOp> CreateReference() =>
        new ArchPairSide<KernelOp>(
            new KernelSide("reference-amd64", new ReferenceKernel(Arch.Amd64), () => []),
            new KernelSide("reference-arm64", new ReferenceKernel(Arch.Arm64), () => [])
        );

    public IReadOnlyList<ISide<KernelOp>> CreateImplementations(FaultSet faults) =>
        [
            new ArchPairSide<KernelOp>(
                Composed("rbtree+amd64-kernel", faults, btree: false, new Amd64Pmap(faults, Amd64Teardown.Kernel)),
                Composed("btree+arm64-1.113", faults, btree: true, new Arm64Pmap(faults, Arm64Teardown.Purge113))
            ),
            new ArchPairSide<KernelOp>(
                Composed("btree+amd64-sparse", faults, btree: true, new Amd64Pmap(faults, Amd64Teardown.Sparse)),
                Composed("rbtree+arm64-seed004", faults, btree: false, new Arm64Pmap(faults, Arm64Teardown.Seed004))
            ),
            Seed003.Pair(faults),
        ];

    public static KernelSide Composed(
        string name,
        FaultSet faults,
        bool btree,
        IPmapMachine pmap,
        BackingWalk? backing = null
    )
    {
        var maps = new List<TreeVmMap>();
        IVmMapMachine NewMap(AnonArena arena)
        {
            var map = new TreeVmMap(
                btree
                    ? new BTreeIndex(
                        MapLayer.TestFanout,
                        MapLayer.TestFanout,
                        faults.Has(MapFaults.BTreeSplitLosesBoundary),
                        faults.Has(MapFaults.BTreeMergeDropsKey)
                    )
                    : new RbTreeIndex(),
                faults,
                arena: arena
            );
            maps.Add(map);
            return map;
        }
        var kernel = new ComposedKernel(NewMap, pmap, faults, backing);
        long[] pmapProbes = pmap switch
        {
            Amd64Pmap amd64 => amd64.Probes,
            Arm64Pmap arm64 => arm64.Probes,
            _ => [],
        };
        string suffix = faults.IsNone ? "" : "+" + faults;
        return new KernelSide(
            name + suffix,
            kernel,
            () => ProbeCounts(maps, pmapProbes, kernel.Probes, kernel.ObjectProbes)
        );
    }

    /// <summary>
    /// The map probes summed over the processes' maps, then the pmap's, then the kernel's, then the file
    /// objects' routines': the order of <see cref="Probes"/>.
    /// </summary>
    private static long[] ProbeCounts(List<TreeVmMap> maps, long[] pmapProbes, long[] kernelProbes, long[] objectProbes)
    {
        int kernelAt = MapProbes.Names.Count + PmapProbes.Names.Length;
        int objectsAt = kernelAt + KernelProbes.Names.Length;
        var counts = new long[objectsAt + ObjectProbes.Names.Count];
        for (int i = 0; i < objectProbes.Length; i++)
            counts[objectsAt + i] = objectProbes[i];
        foreach (var map in maps)
        {
            for (int i = 0; i < map.Probes.Length; i++)
                counts[i] += map.Probes[i];
        }
        for (int i = 0; i < pmapProbes.Length; i++)
            counts[MapProbes.Names.Count + i] = pmapProbes[i];
        for (int i = 0; i < kernelProbes.Length; i++)
            counts[kernelAt + i] = kernelProbes[i];
        return counts;
    }

    public IEnumerable<Implementations.Fault> Faults => FaultCatalog.All;

    public string? Unreachable(Implementations.Fault fault) => KernelReach.Unreachable(fault);

    public KernelOp Parse(string line) => KernelOpParser.Parse(line);

    private static int FileKindOf(KernelOp op) =>
        op switch
        {
            ProcMmapFile => 13,
            ProcMsync => 14,
            ProcMadvise => 15,
            PageDaemonOp => 16,
            KernelMalloc => 18,
            KernelFree => 19,
            KernelAccessOp { Write: false } => 20,
            KernelAccessOp => 21,
            GemOp { Unpin: false } => 22,
            GemOp => 23,
            WhileAsleep => 24,
            _ => throw new ArgumentException($"not a kernel op: {op}"),
        };

    public IReadOnlyList<string> OpKinds { get; } =
    [
        "mmap fixed",
        "mmap any",
        "munmap",
        "mprotect",
        "mlock",
        "munlock",
        "read",
        "write",
        "switch",
        "exit",
        "spawn",
        "fork",
        "minherit",
        "mmap file",
        "msync",
        "madvise",
        "pagedaemon",
        "exec",
        "kmalloc",
        "kfree",
        "kread",
        "kwrite",
        "gem pin",
        "gem unpin",
        "flush asleep",
    ];

    public int KindOf(KernelOp op) =>
        op switch
        {
            ProcMmap { Addr: not null } => 0,
            ProcMmap => 1,
            ProcMunmap => 2,
            ProcMprotect => 3,
            ProcMlock { Unlock: false } => 4,
            ProcMlock => 5,
            CpuAccess { Exec: true } => 17,
            CpuAccess { Write: false } => 6,
            CpuAccess => 7,
            CpuSwitch => 8,
            ProcExit => 9,
            ProcSpawn => 10,
            ProcFork => 11,
            ProcMinherit => 12,
            _ => FileKindOf(op),
        };

    public IReadOnlyList<string> Probes { get; } =
    [.. MapProbes.Names, .. PmapProbes.Names, .. KernelProbes.Names, .. ObjectProbes.Names];

    public void Generate(ref Rng rng, int maxOps, List<KernelOp> into) => KernelGen.Sequence(ref rng, maxOps, into);

    public IEnumerable<KernelOp[]> Shrink(KernelOp[] ops) => KernelShrink.List(ops);
}
