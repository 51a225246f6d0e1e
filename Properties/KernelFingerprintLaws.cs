using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Kernel;
using UvmDiff.Harness.Pmap;
using UvmDiff.Implementations;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The kernels' fast paths. The reference kernel fingerprints amaps and anons once each, however many maps reach them (the kernel
/// shares them between processes after fork, so a per-map sum would count them once per process and
/// tell a shared amap from two private copies only by chance). Every kernel checks a map, and the
/// reference walks its maps for their fingerprints, only after a routine ran on one
/// (<see cref="IKernelMachine.MapChanges"/>); the runner's incremental = full-walk property covers the sums.
/// </summary>
[Trait("Category", "Law")]
public class KernelFingerprintLaws
{
    [Fact]
    public void AnonFingerprint_CountsAnAmapSharedByTwoProcessesOnce()
    {
        var kernel = KernelCrossLayerLaws.After(
            Arch.Amd64,
            "switch cpu0 p0",
            "mmap p0 0x10000000 +1 rw- shared",
            "write cpu0 0x10000000",
            "exit p1",
            "fork p0 p1"
        );
        var parentOnly = new SplitMapSum();
        kernel.WalkMap(0, parentOnly);
        var childOnly = new SplitMapSum();
        kernel.WalkMap(1, childOnly);
        Assert.NotEqual(0UL, parentOnly.Shared);
        Assert.Equal(parentOnly.Shared, childOnly.Shared);
        Assert.Equal(parentOnly.Shared, kernel.AnonFingerprint());
    }

    /// <summary>
    /// A map whose change count stayed over a step has the same own facts (entries, objects, size): no
    /// kernel changes a map but through its routines, which count. On every kernel of every side, after
    /// every op of random sequences.
    /// </summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void MapChanges_StayingOverAStep_MeanTheMapsOwnFactsStayed(Sequence<KernelOp> ops)
    {
        foreach (var side in KernelSides())
        {
            side.Reset();
            var counts = new long[KernelWorld.Processes];
            var facts = new ulong[KernelWorld.Processes];
            foreach (var op in ops.Ops)
            {
                for (int pid = 0; pid < KernelWorld.Processes; pid++)
                    (counts[pid], facts[pid]) = (side.Machine.MapChanges(pid), OwnFacts(side.Machine, pid));
                if (side.Apply(op).IsFatal)
                    break;
                for (int pid = 0; pid < KernelWorld.Processes; pid++)
                {
                    if (side.Machine.MapChanges(pid) == counts[pid])
                        Assert.True(
                            facts[pid] == OwnFacts(side.Machine, pid),
                            $"{side.Name}: p{pid}'s map changed uncounted at {op}"
                        );
                }
            }
        }
    }

    /// <summary>
    /// The object layer's facts (files' resident pages and written blocks, queues, the anonymous objects'
    /// pages and slots, clean anon pages) stay while its change count does: the incremental fingerprint
    /// keeps their sum until it moves. On every kernel, every op.
    /// </summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void FileChanges_StayingOverAStep_MeanTheFilesFactsStayed(Sequence<KernelOp> ops) =>
        AssertFactsStayWhileTheCountStays(ops, machine => machine.FileChanges, FileFacts, "files");

    /// <summary>
    /// The pmap's facts but the CPUs' (translations, pages' REF/MOD and wire counts, PV entries, the pmaps')
    /// stay while its change count less its CPU switches does: the incremental fingerprint keeps their sum
    /// until it moves. Accesses that hit the TLB, or find REF/MOD already set, and pmap_activate and
    /// pmap_deactivate are the calls that need not count. On every kernel, every op.
    /// </summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void PmapChanges_StayingOverAStep_MeanThePmapsFactsStayed(Sequence<KernelOp> ops) =>
        AssertFactsStayWhileTheCountStays(ops, machine => machine.PmapChanges, PmapFactsButCpus, "pmap");

    /// <summary>
    /// A page freed with REF and MOD set and handed to kernel memory (at the first write to a km_alloc'd page):
    /// the allocation alone clears them
    /// (PG_PMAP_REF/PG_PMAP_MOD of its previous life), and the pmap's change count moves with it on every
    /// kernel. Random sequences rarely reach it: the other calls of a step usually count already.
    /// </summary>
    [Fact]
    public void PageAllocated_ClearingRefMod_CountsAsAPmapChange()
    {
        string[] lines =
        [
            "switch cpu0 p0",
            "mmap p0 0x10000000 +1 rw- private",
            "write cpu0 0x10000000",
            "munmap p0 0x10000000 +1",
            "kmalloc +1",
        ];
        foreach (var side in KernelSides())
        {
            side.Reset();
            foreach (var line in lines)
                Assert.False(side.Apply(KernelOpParser.Parse(line)).IsFatal, line);
            long before = side.Machine.PmapChanges;
            var stood = PmapFactsButCpus(side.Machine);
            Assert.False(side.Apply(KernelOpParser.Parse("kwrite 0xffff800000000000")).IsFatal);
            Assert.NotEqual(stood, PmapFactsButCpus(side.Machine));
            Assert.NotEqual(before, side.Machine.PmapChanges);
        }
    }

    /// <summary>
    /// The kernel's own facts (processes, page owners, counters, kernel_map's allocations, swap counts, anon
    /// swap slots) stay while its core change count does: the incremental fingerprint keeps their sum until
    /// it moves. On every kernel, every op.
    /// </summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void CoreChanges_StayingOverAStep_MeanTheCoreFactsStayed(Sequence<KernelOp> ops) =>
        AssertFactsStayWhileTheCountStays(ops, machine => machine.CoreChanges, CoreFacts, "core facts");

    /// <summary>The CPUs' facts, which the incremental fingerprint takes from RunningOn every step, are the walk's. On every kernel, every op.</summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void RunningOn_AfterEveryStep_AnswersTheWalksCpuFacts(Sequence<KernelOp> ops)
    {
        foreach (var side in KernelSides())
        {
            side.Reset();
            foreach (var op in ops.Ops)
            {
                if (side.Apply(op).IsFatal)
                    break;
                var walked = new PmapTextObserver();
                side.Machine.WalkPmap(walked);
                var answered = new PmapTextObserver();
                for (int cpu = 0; cpu < KernelWorld.Cpus; cpu++)
                    answered.Cpu(cpu, side.Machine.RunningOn(cpu));
                Assert.Equal(answered.Lines, walked.Lines.Where(line => line.StartsWith("cpu ")));
            }
        }
    }

    /// <summary>On every kernel of every side, after every op: a step that left <paramref name="count"/> as it was left <paramref name="facts"/> too.</summary>
    private static void AssertFactsStayWhileTheCountStays(
        Sequence<KernelOp> ops,
        Func<IKernelMachine, long> count,
        Func<IKernelMachine, List<string>> facts,
        string what
    )
    {
        foreach (var side in KernelSides())
        {
            side.Reset();
            foreach (var op in ops.Ops)
            {
                long before = count(side.Machine);
                var stood = facts(side.Machine);
                if (side.Apply(op).IsFatal)
                    break;
                if (count(side.Machine) == before)
                    Assert.True(
                        stood.SequenceEqual(facts(side.Machine)),
                        $"{side.Name}: {what} changed uncounted at {op}"
                    );
            }
        }
    }

    private static List<string> PmapFactsButCpus(IKernelMachine machine)
    {
        var text = new PmapTextObserver();
        machine.WalkPmap(text);
        return [.. text.Lines.Where(line => !line.StartsWith("cpu "))];
    }

    /// <summary>
    /// The reference's fast paths answer as its full ones: after every op of random sequences, the per-step
    /// check and the fingerprint, each asked twice (the second time from what the first kept), agree with
    /// the full check and the full walk, on both architectures.
    /// </summary>
    [Property(Arbitrary = [typeof(KernelSequences)], MaxTest = 100, QuietOnSuccess = true)]
    public void ReferenceFastPaths_AskedTwice_AnswerAsTheFullOnes(Sequence<KernelOp> ops)
    {
        foreach (var arch in new[] { Arch.Amd64, Arch.Arm64 })
        {
            var side = new KernelSide("reference", new ReferenceKernel(arch), () => []);
            side.Reset();
            foreach (var op in ops.Ops)
            {
                if (side.Apply(op).IsFatal)
                    break;
                Assert.Null(side.CheckInvariants());
                Assert.Null(side.CheckInvariants());
                Assert.Null(side.CheckAllInvariants());
                Assert.Equal(side.FullFingerprint(), side.Fingerprint());
                Assert.Equal(side.FullFingerprint(), side.Fingerprint());
            }
        }
    }

    private static List<string> CoreFacts(IKernelMachine machine)
    {
        var lines = new List<string>();
        machine.WalkKernel(new KernelFacts(lines, files: false));
        return lines;
    }

    private static List<string> FileFacts(IKernelMachine machine)
    {
        var lines = new List<string>();
        machine.WalkFiles(new KernelFacts(lines));
        return lines;
    }

    private static ulong OwnFacts(IKernelMachine machine, int pid)
    {
        var sum = new SplitMapSum();
        machine.WalkMap(pid, sum);
        return sum.Own;
    }

    private static IEnumerable<KernelSide> KernelSides()
    {
        foreach (
            var side in KernelLayer
                .Instance.CreateImplementations(FaultSet.None)
                .Prepend(KernelLayer.Instance.CreateReference())
        )
        {
            var pair = (ArchPairSide<KernelOp>)side;
            yield return (KernelSide)pair.Amd64;
            yield return (KernelSide)pair.Arm64;
        }
    }
}
