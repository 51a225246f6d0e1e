using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    /// <summary>
    /// <paramref name="flush"/> with one or two ops of another process or the page daemon to run while it
    /// sleeps: an access from either CPU, a munmap or exit of another process, or the page daemon on any
    /// page (most often freeing it, which a page whose pageout just completed allows).
    /// </summary>
    private static WhileAsleep Asleep(ref Rng rng, KernelOp flush, int sleeper, ulong window)
    {
        var during = Interfering(ref rng, sleeper, window);
        return rng.Chance(50)
            ? new WhileAsleep(flush, during, Interfering(ref rng, sleeper, window))
            : new WhileAsleep(flush, during);
    }

    private static KernelOp Interfering(ref Rng rng, int sleeper, ulong window)
    {
        int other = (sleeper + rng.Between(1, KernelWorld.Processes - 1)) % KernelWorld.Processes;
        return rng.Below(10) switch
        {
            < 3 => new PageDaemonOp(rng.Below(KernelWorld.Pages), DaemonAction.Free),
            < 4 => new PageDaemonOp(rng.Below(KernelWorld.Pages), rng.Pick<DaemonAction>(DaemonActions)),
            < 8 => new CpuAccess(rng.Below(KernelWorld.Cpus), AccessAddr(ref rng, window), rng.Chance(50)),
            < 9 => new ProcMunmap(other, WindowAddr(ref rng, window), rng.Between(1, 4)),
            _ => new ProcExit(other),
        };
    }

    /// <summary>
    /// The prometheus loop's second process (half the loops): it maps all of the daemon's file shared
    /// at the window's start and runs on cpu1, so that while the daemon's msync sleeps on the page under
    /// pageout, the page daemon can free that page and the second process's fault take it for another
    /// offset of the file. => the second process
    /// </summary>
    private static int Reader(ref Rng rng, int daemon, int file, ulong window, List<KernelOp> into)
    {
        int reader = (daemon + rng.Between(1, KernelWorld.Processes - 1)) % KernelWorld.Processes;
        into.Add(new ProcMmapFile(reader, window, KernelFiles.Pages, Prot.RW, file, 0, Shared: true));
        into.Add(new CpuSwitch(1, reader));
        return reader;
    }

    /// <summary>
    /// An msync of the daemon's mapping in a prometheus cycle in which the page daemon started a pageout of
    /// <paramref name="page"/>, mostly with MS_INVALIDATE, whose flush waits for that page and looks again:
    /// asleep on it, with the page freed and then the reader's access to a page of the file where there
    /// is a reader, else with random ops.
    /// </summary>
    private static WhileAsleep AsleepOnPageout(
        ref Rng rng,
        int daemon,
        ulong addr,
        int pages,
        int reader,
        int page,
        ulong window
    )
    {
        var mode = rng.Chance(70) ? MsyncMode.Invalidate : rng.Pick<MsyncMode>(MsyncModes);
        var msync = new ProcMsync(daemon, addr, rng.Chance(70) ? pages : rng.Between(1, pages), mode);
        if (reader < 0 || rng.Chance(30))
            return Asleep(ref rng, msync, daemon, window);
        ulong va = window + ((ulong)rng.Below(KernelFiles.Pages) << MapConst.PageShift);
        return new WhileAsleep(msync, new PageDaemonOp(page, DaemonAction.Free), new CpuAccess(1, va, rng.Chance(30)));
    }
}

public static partial class KernelShrink
{
    /// <summary>The flush alone, one op fewer asleep, or a smaller flush.</summary>
    private static IEnumerable<KernelOp> Asleep(WhileAsleep op)
    {
        yield return op.Flush;
        if (op.Then is { } then)
        {
            yield return op with
            {
                Then = null,
            };
            yield return new WhileAsleep(op.Flush, then);
        }
        foreach (var smaller in Op(op.Flush))
            yield return op with
            {
                Flush = smaller,
            };
    }
}
