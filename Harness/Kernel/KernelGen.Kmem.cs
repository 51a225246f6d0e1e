using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    /// <summary>Sequences, in 256, that put the kernel's own memory among the processes' ops.</summary>
    private const int KernelMemoryShare = 20;

    /// <summary>
    /// One sequence in about thirteen runs kernel memory beside the processes: a process-level sequence
    /// and kernel memory cycles (<see cref="KmemCycle"/>), merged in random order. Whether a sequence
    /// is one is read off the next number of <paramref name="rng"/> without drawing it, and such a
    /// sequence draws from its own generator, so every other sequence is exactly the process-level one
    /// it was before: the fixed-seed budgets of the other faults stay where they were.
    /// => false, with nothing drawn, for any other sequence
    /// </summary>
    private static bool WithKernelMemory(ref Rng rng, int maxOps, List<KernelOp> into)
    {
        if (!OwnSequence(rng, 0, KernelMemoryShare, 0x6b6d_656d_6b6d_656d, out var own))
            return false;
        int count = own.Between(1, maxOps);
        int kmem = Math.Max(1, count * own.Between(30, 70) / 100);
        var memory = new List<KernelOp>();
        uint allocated = 0;
        while (memory.Count < kmem)
            KmemCycle(ref own, KmemOp(ref own), kmem, memory, ref allocated);
        var processes = new List<KernelOp>();
        if (count > kmem)
            ProcessSequence(ref own, count - kmem, processes);
        Merge(ref own, processes, memory, into);
        rng = own;
        return true;
    }

    /// <summary>
    /// Is this sequence one of a kind that takes <paramref name="share"/> in 256: bits
    /// [<paramref name="shift"/>, +8) of <paramref name="rng"/>'s next number, read without drawing it.
    /// => <paramref name="own"/>, the generator such a sequence draws from
    /// </summary>
    private static bool OwnSequence(Rng rng, int shift, int share, ulong salt, out Rng own)
    {
        ulong next = rng.Next();
        own = new Rng(next ^ salt);
        return (next >> shift & 0xff) < (ulong)share;
    }

    /// <summary>Both lists into <paramref name="into"/>, each in its order, interleaved at random.</summary>
    private static void Merge(ref Rng rng, List<KernelOp> processes, List<KernelOp> others, List<KernelOp> into)
    {
        int p = 0,
            o = 0;
        while (p < processes.Count || o < others.Count)
        {
            bool fromOthers = rng.Below(processes.Count - p + others.Count - o) < others.Count - o;
            into.Add(fromOthers ? others[o++] : processes[p++]);
        }
    }

    /// <summary>
    /// The start of a kernel memory cycle: most often a km_alloc; otherwise the GEM driver pinning a page,
    /// or, rarely, unpinning a range, pinned or not (the misuse uvm_obj_unwire's KASSERT catches when the
    /// range has a page nothing brought in: a panic, which ends the sequence).
    /// </summary>
    private static KernelOp KmemOp(ref Rng rng)
    {
        int offset = rng.Below(KernelMemory.GemPages);
        return rng.Below(20) switch
        {
            < 12 => new KernelMalloc(rng.Between(1, 2)),
            < 19 => new GemOp((long)offset << K.PageShift, 1, Unpin: false),
            _ => new GemOp((long)offset << K.PageShift, rng.Between(1, KernelMemory.GemPages - offset), Unpin: true),
        };
    }

    /// <summary>
    /// A km_alloc and its life, as a pipe's buffer has one: copyins and copyouts through it, the page
    /// daemon paging one of the low physical pages out (kernel pages are handed out lowest first, as all
    /// are): deactivated, then written and freed, or left with its asynchronous pageout in flight; a
    /// copyout whose swap read fails (the slot is left SWSLOT_BAD), and km_free, whose uvm_km_pgremove
    /// meets resident pages, busy ones, swapped-out ones and bad slots. <paramref name="allocated"/>
    /// follows kernel_map's first fit over the sequence, so that the addresses are those km_alloc returns.
    /// A GEM pin is mostly followed by its unpin (get_pages_phys wires, copies, unwires).
    /// => ops added up to <paramref name="end"/>
    /// </summary>
    private static void KmemCycle(ref Rng rng, KernelOp op, int end, List<KernelOp> into, ref uint allocated)
    {
        into.Add(op);
        if (op is GemOp { Unpin: false } pin)
        {
            if (into.Count < end && rng.Chance(60))
                into.Add(pin with { Unpin = true });
            return;
        }
        if (op is not KernelMalloc { Pages: var pages } || FirstFit(allocated, pages) is not (>= 0 and var first))
            return;
        uint run = ((1u << pages) - 1) << first;
        allocated |= run;
        ulong va = KernelMemory.Base + ((ulong)first << K.PageShift);
        var steps = new List<KernelOp>();
        for (int i = rng.Between(1, 3); i > 0; i--)
            steps.Add(new KernelAccessOp(va + ((ulong)rng.Below(pages) << K.PageShift), rng.Chance(70)));
        if (rng.Chance(60))
        {
            int page = rng.Below(3);
            steps.Add(new PageDaemonOp(page, DaemonAction.Deactivate));
            if (rng.Chance(30))
            {
                steps.Add(new PageDaemonOp(page, DaemonAction.Pageout));
            }
            else
            {
                steps.Add(new PageDaemonOp(page, DaemonAction.Clean));
                steps.Add(new PageDaemonOp(page, DaemonAction.Free));
            }
            if (rng.Chance(50))
                steps.Add(new KernelAccessOp(va, rng.Chance(30), SwapError: rng.Chance(60)));
        }
        bool free = rng.Chance(70);
        if (free)
            steps.Add(new KernelFree(va, pages));
        foreach (var step in steps)
        {
            if (into.Count >= end)
                return;
            into.Add(step);
        }
        if (free)
            allocated &= ~run;
    }

    private static int FirstFit(uint allocated, int pages)
    {
        for (int first = 0; first + pages <= KernelMemory.Pages; first++)
        {
            if ((allocated & (((1u << pages) - 1) << first)) == 0)
                return first;
        }
        return -1;
    }
}

public static partial class KernelShrink
{
    /// <summary>A kernel memory op towards the plainest: no swap error, a read, one page.</summary>
    private static IEnumerable<KernelOp> KmemOp(KernelOp op)
    {
        switch (op)
        {
            case KernelAccessOp { SwapError: true } a:
                yield return a with
                {
                    SwapError = false,
                };
                break;
            case KernelAccessOp { Write: true } a:
                yield return a with
                {
                    Write = false,
                };
                break;
            case KernelFree { Pages: > 1 } f:
                yield return f with
                {
                    Pages = f.Pages / 2,
                };
                break;
            case GemOp { Pages: > 1 } g:
                yield return g with
                {
                    Pages = g.Pages / 2,
                };
                break;
        }
    }
}
