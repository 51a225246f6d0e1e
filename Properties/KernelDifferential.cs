using FsCheck;
using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Kernel;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Kernel;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>The whole kernel's sequences as FsCheck arbitraries, for <c>[Property(Arbitrary = ...)]</c>.</summary>
public static class KernelSequences
{
    public static Arbitrary<Sequence<KernelOp>> Sequences() => DifferentialProperty.Arbitrary(KernelLayer.Instance);
}

/// <summary>
/// The whole kernel (first slice): random process-level sequences on the reference kernel under both
/// architectures' profiles against the composed kernels, with each layer's invariants and the
/// cross-layer ones checked on every side.
/// </summary>
public class KernelDifferential
{
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 3_000, QuietOnSuccess = true)]
    public Property RandomSequences_OnEveryComposedKernel_NeverDiverge(Sequence<KernelOp> ops) =>
        DifferentialProperty.Holds(KernelLayer.Instance, FaultSet.None, ops, TestSettings.CounterexampleFile("kernel"));

    /// <summary>
    /// Found by the property above: the reference listed page owners in its dictionary's insertion order,
    /// the composed kernels in page order, so equal states rendered differently once a freed page was
    /// reused. Page owners are now walked in page order on every side.
    /// </summary>
    [Fact]
    public void PageOwners_AfterAPageIsFreedAndReused_RenderInPageOrderOnEverySide()
    {
        string[] trace =
        [
            "switch cpu0 p0",
            "switch cpu1 p0",
            "mmap p2 0x3fff8000 +2 rw- private",
            "mmap p0 0x20000000 +300 rw- private",
            "mmap p2 0x3fffa000 +1 rw- private",
            "mlock p2 0x3fff8000 +3",
            "exit p2",
            "read cpu0 0x2010c000",
            "read cpu1 0x200e3000",
        ];
        var ops = trace.Select(KernelLayer.Instance.Parse).ToArray();
        Assert.Null(new Differential<KernelOp>(KernelLayer.Instance, FaultSet.None).Run(ops, count: false));
    }

    /// <summary>
    /// The copy-on-write invariant (no translation writes an anon other amaps share) can fail: a fork that
    /// leaves the parent's page writable breaks it once the child's read has copied the amap (an_ref 2).
    /// </summary>
    [Fact]
    public void CowInvariant_ParentLeftWritableAfterFork_IsReported()
    {
        var faulty = KernelLayer.Instance.CreateImplementations(FaultSet.Of(KernelFaults.ForkSkipsParentProtect))[0];
        faulty.Reset();
        string[] trace =
        [
            "switch cpu0 p0",
            "mmap p0 0x10000000 +1 rw- private",
            "write cpu0 0x10000000",
            "exit p1",
            "fork p0 p1",
            "switch cpu1 p1",
            "read cpu1 0x10000000",
        ];
        foreach (var line in trace)
            Assert.False(faulty.Apply(KernelLayer.Instance.Parse(line)).IsFatal);
        Assert.Contains("writes anon 1, which 2 amaps share", faulty.CheckAllInvariants());
    }

    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 500, QuietOnSuccess = true)]
    public void IncrementalFingerprint_AfterEveryStep_EqualsTheFullWalk(Sequence<KernelOp> ops)
    {
        var sides = new List<ISide<KernelOp>> { KernelLayer.Instance.CreateReference() };
        sides.AddRange(KernelLayer.Instance.CreateImplementations(FaultSet.None));
        foreach (var side in sides)
        {
            side.Reset();
            foreach (var op in ops.Ops)
            {
                if (side.Apply(op).IsFatal)
                    break;
                Assert.Equal(side.FullFingerprint(), side.Fingerprint());
            }
        }
    }

    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 500, QuietOnSuccess = true)]
    public void ReplaySyntax_OfEveryGeneratedOp_ParsesBackToTheOp(Sequence<KernelOp> ops)
    {
        foreach (var op in ops.Ops)
            Assert.Equal(op, KernelLayer.Instance.Parse(op.ToString()));
    }

    /// <summary>
    /// Every fault of the catalog within the kernel's reach (<see cref="KernelReach"/> says why the others
    /// are not), but those <see cref="BeyondBudget"/> names.
    /// </summary>
    public static TheoryData<string> Faults()
    {
        var data = new TheoryData<string>();
        foreach (var fault in KernelReach.Reachable())
        {
            if (!BeyondBudget.Contains(fault.Name))
                data.Add(fault.Name);
        }
        return data;
    }

    /// <summary>
    /// Reachable, but found later than the theory's budget of sequences: <c>uvmdiff faults --layer kernel</c>
    /// runs them.
    /// </summary>
    public static readonly string[] BeyondBudget = ["Arm64AsidRolloverWithoutFlush", "Arm64ProtectReadWithoutFlush"];

    [Fact]
    public void FaultsWithinReach_AreEveryLayersButTheListedOnes()
    {
        var reachable = KernelReach.Reachable().Select(fault => fault.Name).ToHashSet();
        Assert.Equal(56, reachable.Count);
        Assert.Subset(reachable, BeyondBudget.ToHashSet());
        foreach (var fault in FaultCatalog.All)
            Assert.Equal(reachable.Contains(fault.Name), KernelLayer.Instance.Unreachable(fault) is null);
    }

    /// <summary>
    /// A fixed seed and one worker: detection in CI does not depend on the machine. 40,000 sequences at
    /// most: since file mappings joined the mix, MlockClipsWiredFirst takes about 26,000 at this seed; the
    /// others are found in far fewer, and a campaign stops at its first finding.
    /// </summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_FromTheKernelLevel_IsDetectedWithSmallCounterexample(string name) =>
        FaultDetection.AssertDetected(KernelLayer.Instance, name, cases: 100_000);
}
