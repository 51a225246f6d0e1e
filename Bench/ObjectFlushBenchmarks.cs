using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace UvmDiff.Bench;

/// <summary>
/// Seed 000's motivating case: routines over a 1 GiB object holding 16 pages. The reference probes the
/// index once per offset, so it pays for the 262,128 holes; the rbtree walks only what is resident.
/// Each benchmark is one routine call that leaves the machine as it found it (see <see cref="Workloads"/>),
/// so no per-iteration setup is needed. Reference methods are the baseline of their category.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CountersConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ObjectFlushBenchmarks
{
    private SparseMachine _reference = null!;
    private SparseMachine _rbtree = null!;

    [GlobalSetup]
    public void Setup()
    {
        _reference = SparseMachine.Settled(Side.Reference);
        _rbtree = SparseMachine.Settled(Side.RbTree);
    }

    /// <summary>The munmap/uvn_detach walk: every page clean, so nothing is written.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Workloads.UvnFlushCleanItName)]
    [Counts(Scenario.UvnFlushCleanIt, Side.Reference)]
    public bool UvnFlushCleanItReference() => Workloads.Invoke(_reference, Scenario.UvnFlushCleanIt);

    [Benchmark]
    [BenchmarkCategory(Workloads.UvnFlushCleanItName)]
    [Counts(Scenario.UvnFlushCleanIt, Side.RbTree)]
    public bool UvnFlushCleanItRbTree() => Workloads.Invoke(_rbtree, Scenario.UvnFlushCleanIt);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Workloads.UaoFlushDeactivateName)]
    [Counts(Scenario.UaoFlushDeactivate, Side.Reference)]
    public bool UaoFlushDeactivateReference() => Workloads.Invoke(_reference, Scenario.UaoFlushDeactivate);

    [Benchmark]
    [BenchmarkCategory(Workloads.UaoFlushDeactivateName)]
    [Counts(Scenario.UaoFlushDeactivate, Side.RbTree)]
    public bool UaoFlushDeactivateRbTree() => Workloads.Invoke(_rbtree, Scenario.UaoFlushDeactivate);

    /// <summary>A dense range, where range iteration has no holes to skip: the price of the tree walk.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Workloads.ObjUnwireName)]
    [Counts(Scenario.ObjUnwire, Side.Reference)]
    public bool WireUnwireReference() => Workloads.Invoke(_reference, Scenario.ObjUnwire);

    [Benchmark]
    [BenchmarkCategory(Workloads.ObjUnwireName)]
    [Counts(Scenario.ObjUnwire, Side.RbTree)]
    public bool WireUnwireRbTree() => Workloads.Invoke(_rbtree, Scenario.ObjUnwire);
}
