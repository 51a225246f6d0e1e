using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    /// <summary>Sequences, in 256, that page anon pages out among the processes' ops.</summary>
    private const int AnonSwapShare = 24;

    /// <summary>
    /// About one sequence in eleven puts the page daemon on anon pages among a process-level sequence:
    /// the lowest three physical pages (pages are handed out lowest first, so they are mostly anons'),
    /// paged out or deactivated, so that the accesses around them fault pages back in from swap, and
    /// munmap, exit and copy on write free the slots. As with kernel memory (<see cref="WithKernelMemory"/>),
    /// whether a sequence is one is read off the next number of <paramref name="rng"/> without drawing it
    /// (other bits of it than kernel memory's), and such a sequence draws from its own generator: every
    /// other sequence stays exactly what it was, and with it the fixed-seed budgets of the other faults.
    /// => false, with nothing drawn, for any other sequence
    /// </summary>
    private static bool WithAnonSwap(ref Rng rng, int maxOps, List<KernelOp> into)
    {
        if (!OwnSequence(rng, 48, AnonSwapShare, 0x616e_6f6e_7377_6170, out var own))
            return false;
        int count = own.Between(1, maxOps);
        int daemon = Math.Max(1, count * own.Between(10, 30) / 100);
        var processes = new List<KernelOp>();
        if (count > daemon)
            ProcessSequence(ref own, count - daemon, processes);
        var pageouts = new List<KernelOp>();
        for (int i = 0; i < daemon; i++)
            pageouts.Add(
                new PageDaemonOp(own.Below(3), own.Chance(65) ? DaemonAction.Pageout : DaemonAction.Deactivate)
            );
        Merge(ref own, processes, pageouts, into);
        rng = own;
        return true;
    }
}
