using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Kernel;
using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Implementations.Pmap.Arm64;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// The fourth implementation kernel: seed 003's page tracking. Its amd64 half is the RB-tree map with
/// the amd64 pmap keeping no PV lists (<see cref="BackingLookup"/>), page → mappings answered by the
/// kernel's walk of the maps (<see cref="BackingWalk"/>). A side is an amd64|arm64 pair. The walk is
/// machine-independent, so an arm64 copy of the PV-less pmap would run the same lookup. The arm64 half
/// is a PV-list kernel no other side runs, the RB-tree map with arm64 1.113. The pair puts the PV-less
/// kernel beside PV-list kernels on every sequence and adds a combination rather than repeating one.
/// </summary>
public static class Seed003
{
    public static ArchPairSide<KernelOp> Pair(FaultSet faults) =>
        new(
            Amd64(faults, out _),
            KernelLayer.Composed(
                "rbtree+arm64-1.113",
                faults,
                btree: false,
                new Arm64Pmap(faults, Arm64Teardown.Purge113)
            )
        );

    /// <summary>The amd64 seed 003 kernel, and in <paramref name="walk"/> its reverse lookup (whose counters the benchmark reads).</summary>
    public static KernelSide Amd64(FaultSet faults, out BackingWalk walk)
    {
        walk = new BackingWalk(faults);
        var pmap = new Amd64Pmap(faults, Amd64Teardown.Kernel, new BackingLookup(walk));
        return KernelLayer.Composed("rbtree+amd64-seed003", faults, btree: false, pmap, walk);
    }
}
