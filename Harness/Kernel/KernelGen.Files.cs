using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    /// <summary>Percent of sequences that are seed 000's prometheus loop.</summary>
    private const int PrometheusShare = 15;

    /// <summary>
    /// Seed 000's workload: a daemon maps a file shared, stores to it (or loads), and unmaps it again, for
    /// every write, so every cycle's munmap is the file's last reference and uvn_detach runs
    /// uvn_flush(CLEANIT|FREE|ALLPAGES) through the range iterator. Now and then the page daemon starts
    /// a pageout of one of the low physical pages (the daemon's, as pages are handed out lowest first),
    /// which the flush then sleeps on; an msync of part of the mapping comes before the munmap (and a store
    /// after it, which must fault again on the page msync cleaned and made read-only); another op of the
    /// ordinary mix comes between cycles. After a pageout the msync mostly comes, with other ops to run
    /// while it sleeps on the page (<see cref="AsleepOnPageout"/>), and the munmap now and then does too;
    /// half the loops have a second process reading the file (<see cref="Reader"/>).
    /// => at most <paramref name="count"/> ops
    /// </summary>
    private static void Prometheus(ref Rng rng, int count, ulong window, List<KernelOp> into)
    {
        int first = into.Count;
        int pid = rng.Below(KernelWorld.Processes);
        int file = rng.Between(1, KernelFiles.Count);
        into.Add(new CpuSwitch(0, pid));
        int reader = rng.Chance(50) ? Reader(ref rng, pid, file, window, into) : -1;
        while (into.Count - first < count)
        {
            int pageout = -1;
            int pages = rng.Between(1, 4);
            ulong addr = WindowAddr(ref rng, window);
            ulong offset = (ulong)rng.Below(KernelFiles.Pages - pages + 1) << MapConst.PageShift;
            into.Add(new ProcMmapFile(pid, addr, pages, Prot.RW, file, offset, Shared: true));
            int accesses = rng.Between(1, pages + 1);
            for (int i = 0; i < accesses; i++)
            {
                ulong va = addr + ((ulong)rng.Below(pages) << MapConst.PageShift);
                into.Add(new CpuAccess(0, va, rng.Chance(70)));
            }
            if (rng.Chance(20))
            {
                pageout = rng.Below(pages);
                into.Add(new PageDaemonOp(pageout, DaemonAction.Deactivate));
                into.Add(new PageDaemonOp(pageout, DaemonAction.Pageout));
            }
            if (pageout >= 0 && rng.Chance(60))
            {
                into.Add(AsleepOnPageout(ref rng, pid, addr, pages, reader, pageout, window));
            }
            else if (rng.Chance(25))
            {
                into.Add(new ProcMsync(pid, addr, rng.Between(1, pages), rng.Pick<MsyncMode>(MsyncModes)));
                if (rng.Chance(50))
                    into.Add(new CpuAccess(0, addr, Write: true));
            }
            if (rng.Chance(15))
                into.Add(Op(ref rng, window));
            KernelOp munmap = new ProcMunmap(pid, addr, pages);
            into.Add(pageout >= 0 && rng.Chance(40) ? Asleep(ref rng, munmap, pid, window) : munmap);
        }
        into.RemoveRange(first + count, into.Count - first - count);
    }

    private static readonly MsyncMode[] MsyncModes = Enum.GetValues<MsyncMode>();
    private static readonly MadviseMode[] MadviseModes = Enum.GetValues<MadviseMode>();
    private static readonly DaemonAction[] DaemonActions = Enum.GetValues<DaemonAction>();

    /// <summary>
    /// The file ops: half of them a mapping of one of the three files, shared or private, at a page offset
    /// that keeps it inside the file, fixed in the window or at the first fit; then msync and madvise over
    /// the window, some of them with other ops to run while they sleep, and the page daemon on any physical
    /// page.
    /// </summary>
    private static KernelOp FileOp(ref Rng rng, int pid, ulong window, ulong addr, int pages)
    {
        switch (rng.Below(6))
        {
            case 3:
                var msync = new ProcMsync(pid, addr, pages, rng.Pick<MsyncMode>(MsyncModes));
                return rng.Chance(20) ? Asleep(ref rng, msync, pid, window) : msync;
            case 4:
                var madvise = new ProcMadvise(pid, addr, pages, rng.Pick<MadviseMode>(MadviseModes));
                return rng.Chance(10) ? Asleep(ref rng, madvise, pid, window) : madvise;
            case 5:
                return new PageDaemonOp(rng.Below(KernelWorld.Pages), rng.Pick<DaemonAction>(DaemonActions));
        }
        ulong offset = (ulong)rng.Below(KernelFiles.Pages - pages + 1) << MapConst.PageShift;
        return new ProcMmapFile(
            pid,
            rng.Chance(75) ? addr : null,
            pages,
            rng.Pick<Prot>(Prots),
            rng.Between(1, KernelFiles.Count),
            offset,
            rng.Chance(50)
        );
    }
}

public static partial class KernelShrink
{
    /// <summary>A file op towards the plainest: a private mapping, one page, offset 0.</summary>
    private static IEnumerable<KernelOp> FileOp(KernelOp op)
    {
        switch (op)
        {
            case ProcMmapFile f:
                if (f.Shared)
                    yield return f with
                    {
                        Shared = false,
                    };
                if (f.Pages > 1)
                    yield return f with
                    {
                        Pages = f.Pages / 2,
                    };
                if (f.Offset != 0)
                    yield return f with
                    {
                        Offset = 0,
                    };
                break;
            case ProcMsync { Pages: > 1 } m:
                yield return m with
                {
                    Pages = m.Pages / 2,
                };
                break;
            case ProcMadvise { Pages: > 1 } m:
                yield return m with
                {
                    Pages = m.Pages / 2,
                };
                break;
        }
    }
}
