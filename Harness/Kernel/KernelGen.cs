using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// Random kernel op sequences. Fixed mappings, unmaps, protections and locks fall in a window of sixteen
/// pages so they overlap and clip each other; each sequence takes one of two windows, one inside a page
/// table and one straddling a 1 GiB (and 2 MiB) boundary so the pmaps' removes, skips and table frees
/// cross it; accesses hit that window, the first-fit region at the bottom
/// of the address space, and now and then a large mapping (at least UVM_AMAP_LARGE pages) whose first
/// fault is chunked. Sizes stay small: six physical pages back everything. Write-only protections are
/// never asked for: the pmap layer's model leaves them out (uvm never enters one there). Forks come often,
/// mostly of the process that mapped last, right after the child's slot was freed by an exit and followed
/// by a switch to the child or the parent; minherit sets every inheritance; and three sequences in ten
/// start from a fork of a written mapping (<see cref="Forked"/>), so writes copy on write in parent and child.
/// </summary>
public static partial class KernelGen
{
    public static readonly ulong[] Windows = [0x1000_0000, 0x3fff_8000];
    public const int WindowPages = 16;
    public const ulong LargeBase = 0x2000_0000;
    public const int LargePages = 300;

    private static readonly Prot[] Prots = [Prot.None, Prot.R, Prot.RW, Prot.RW, Prot.RX, Prot.RWX, Prot.X];

    private static readonly Inherit[] Inherits = [Inherit.Share, Inherit.Copy, Inherit.None, Inherit.Zero];

    //                                     mmap any  munmap mprotect mlock munlock access switch exit spawn fork minherit files
    private static readonly int[] Weights = [18, 4, 8, 8, 5, 4, 34, 10, 2, 3, 6, 5, 12];

    public static void Sequence(ref Rng rng, int maxOps, List<KernelOp> into)
    {
        if (!WithKernelMemory(ref rng, maxOps, into) && !WithAnonSwap(ref rng, maxOps, into))
            ProcessSequence(ref rng, maxOps, into);
    }

    /// <summary>A sequence of process-level ops (and the page daemon): everything but the kernel's own memory.</summary>
    private static void ProcessSequence(ref Rng rng, int maxOps, List<KernelOp> into)
    {
        int count = rng.Between(1, maxOps);
        ulong window = rng.Pick<ulong>(Windows);
        if (rng.Chance(PrometheusShare))
        {
            Prometheus(ref rng, count, window, into);
            return;
        }
        int end = into.Count + count;
        int mapper = -1;
        if (count >= ForkPrelude && rng.Chance(30))
            mapper = Forked(ref rng, window, into);
        else if (count >= RacePrelude && rng.Chance(RaceShare))
            Raced(ref rng, window, count, into);
        while (into.Count < end)
        {
            var op =
                into.Count == end - count && rng.Chance(70)
                    ? new CpuSwitch(rng.Below(KernelWorld.Cpus), rng.Below(KernelWorld.Processes))
                    : Op(ref rng, window);
            if (op is ProcMmap mmap)
                mapper = mmap.Pid;
            if (op is not ProcFork fork)
            {
                into.Add(op);
                continue;
            }
            if (mapper >= 0 && rng.Chance(70))
                fork = new ProcFork(
                    mapper,
                    (mapper + rng.Between(1, KernelWorld.Processes - 1)) % KernelWorld.Processes
                );
            if (into.Count < end - 1 && rng.Chance(70))
                into.Add(new ProcExit(fork.Child));
            into.Add(fork);
            if (into.Count < end && rng.Chance(60))
                into.Add(new CpuSwitch(rng.Below(KernelWorld.Cpus), rng.Chance(50) ? fork.Child : fork.Parent));
        }
    }

    /// <summary>The ops of <see cref="Forked"/>.</summary>
    private const int ForkPrelude = 7;

    /// <summary>
    /// A fork to start from: a process maps part of the window, writes a page of it, maybe changes its
    /// inheritance, and forks into a slot an exit just freed; a CPU runs the parent, the other the child.
    /// => the parent
    /// </summary>
    private static int Forked(ref Rng rng, ulong window, List<KernelOp> into)
    {
        int parent = rng.Below(KernelWorld.Processes);
        int child = (parent + rng.Between(1, KernelWorld.Processes - 1)) % KernelWorld.Processes;
        ulong addr = WindowAddr(ref rng, window);
        int pages = rng.Between(1, 4);
        into.Add(new CpuSwitch(0, parent));
        into.Add(new ProcMmap(parent, addr, pages, Prot.RW, rng.Chance(30)));
        into.Add(new CpuAccess(0, addr + ((ulong)rng.Below(pages) << MapConst.PageShift), rng.Chance(70)));
        into.Add(
            rng.Chance(40) ? new ProcMinherit(parent, addr, pages, rng.Pick<Inherit>(Inherits)) : new CpuSwitch(1, -1)
        );
        into.Add(new ProcExit(child));
        into.Add(new ProcFork(parent, child));
        into.Add(new CpuSwitch(1, child));
        return parent;
    }

    private static KernelOp Op(ref Rng rng, ulong window)
    {
        int pid = rng.Below(KernelWorld.Processes);
        int pages = rng.Between(1, 4);
        ulong addr = WindowAddr(ref rng, window);
        switch (rng.Weighted(Weights))
        {
            case 0:
                return rng.Chance(8)
                    ? LargeMapping(ref rng, pid)
                    : new ProcMmap(pid, addr, pages, rng.Pick<Prot>(Prots), rng.Chance(25));
            case 1:
                return new ProcMmap(pid, null, pages, rng.Pick<Prot>(Prots), rng.Chance(25));
            case 2:
                return new ProcMunmap(pid, addr, pages);
            case 3:
                return new ProcMprotect(pid, addr, pages, rng.Pick<Prot>(Prots));
            case 4:
                return new ProcMlock(pid, addr, pages, Unlock: false);
            case 5:
                return new ProcMlock(pid, addr, pages, Unlock: true);
            case 6:
                return rng.Below(20) switch
                {
                    < 9 => new CpuAccess(rng.Below(KernelWorld.Cpus), AccessAddr(ref rng, window), Write: false),
                    < 18 => new CpuAccess(rng.Below(KernelWorld.Cpus), AccessAddr(ref rng, window), Write: true),
                    _ => new CpuAccess(
                        rng.Below(KernelWorld.Cpus),
                        AccessAddr(ref rng, window),
                        Write: false,
                        Exec: true
                    ),
                };
            case 7:
                return new CpuSwitch(rng.Below(KernelWorld.Cpus), rng.Chance(15) ? -1 : pid);
            case 8:
                return rng.Below(10) switch
                {
                    < 3 => new ProcExit(pid, rng.Below(KernelWorld.Pages), rng.Below(8)),
                    < 4 => Asleep(ref rng, new ProcExit(pid), pid, window),
                    _ => new ProcExit(pid),
                };
            case 9:
                return new ProcSpawn(pid);
            case 10:
                return new ProcFork(pid, (pid + rng.Between(1, KernelWorld.Processes - 1)) % KernelWorld.Processes);
            case 11:
                return new ProcMinherit(pid, addr, pages, rng.Pick<Inherit>(Inherits));
            default:
                return FileOp(ref rng, pid, window, addr, pages);
        }
    }

    /// <summary>A mapping of UVM_AMAP_LARGE pages or more: shared, private (chunked at its first fault) or MAP_STACK (never chunked).</summary>
    private static ProcMmap LargeMapping(ref Rng rng, int pid) =>
        rng.Below(10) switch
        {
            < 3 => new ProcMmap(pid, LargeBase, LargePages, Prot.RW, Shared: true),
            < 5 => new ProcMmap(pid, LargeBase, LargePages, Prot.RW, Shared: false, Stack: true),
            _ => new ProcMmap(pid, LargeBase, LargePages, Prot.RW, Shared: false),
        };

    private static ulong WindowAddr(ref Rng rng, ulong window) =>
        window + ((ulong)rng.Below(WindowPages) << MapConst.PageShift);

    private static ulong AccessAddr(ref Rng rng, ulong window) =>
        rng.Below(10) switch
        {
            < 6 => WindowAddr(ref rng, window),
            < 9 => MapConst.MinAddress + ((ulong)rng.Below(8) << MapConst.PageShift),
            _ => LargeBase + ((ulong)rng.Below(LargePages) << MapConst.PageShift),
        };
}

/// <summary>
/// Shrinking: drop halves, then one op, then per op towards the plainest: private mappings, one page,
/// addresses a page lower, reads instead of writes.
/// </summary>
public static partial class KernelShrink
{
    public static IEnumerable<KernelOp[]> List(KernelOp[] ops)
    {
        if (ops.Length > 1)
        {
            yield return ops[..(ops.Length / 2)];
            yield return ops[(ops.Length / 2)..];
        }
        for (int i = 0; i < ops.Length && ops.Length > 1; i++)
            yield return [.. ops[..i], .. ops[(i + 1)..]];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var smaller in Op(ops[i]))
            {
                var shrunk = (KernelOp[])ops.Clone();
                shrunk[i] = smaller;
                yield return shrunk;
            }
        }
    }

    private static IEnumerable<KernelOp> Op(KernelOp op)
    {
        switch (op)
        {
            case ProcMmap m:
                if (m.Shared)
                    yield return m with
                    {
                        Shared = false,
                    };
                if (m.Pages > 1)
                    yield return m with
                    {
                        Pages = m.Pages / 2,
                    };
                if (m.Addr is { } a && a % (16 * MapConst.PageSize) != 0)
                    yield return m with
                    {
                        Addr = a - MapConst.PageSize,
                    };
                break;
            case ProcExit { DuringPage: not null } e:
                yield return new ProcExit(e.Pid);
                if (e.At > 0)
                    yield return e with
                    {
                        At = e.At - 1,
                    };
                break;
            case ProcMunmap u:
                if (u.Pages > 1)
                    yield return u with
                    {
                        Pages = u.Pages / 2,
                    };
                break;
            case ProcMprotect p:
                if (p.Pages > 1)
                    yield return p with
                    {
                        Pages = p.Pages / 2,
                    };
                break;
            case ProcMinherit i:
                if (i.Pages > 1)
                    yield return i with
                    {
                        Pages = i.Pages / 2,
                    };
                break;
            case ProcMlock l:
                if (l.Pages > 1)
                    yield return l with
                    {
                        Pages = l.Pages / 2,
                    };
                break;
            case WhileAsleep w:
                foreach (var smaller in Asleep(w))
                    yield return smaller;
                break;
            case RaceOp race:
                foreach (var smaller in Race(race))
                    yield return smaller;
                break;
            case ProcMmapFile or ProcMsync or ProcMadvise:
                foreach (var smaller in FileOp(op))
                    yield return smaller;
                break;
            case KernelAccessOp or KernelFree or GemOp:
                foreach (var smaller in KmemOp(op))
                    yield return smaller;
                break;
            case CpuAccess { Exec: true } fetch:
                yield return fetch with
                {
                    Exec = false,
                };
                break;
            case CpuAccess { Write: true } access:
                yield return access with
                {
                    Write = false,
                };
                break;
        }
    }
}
