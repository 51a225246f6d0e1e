using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    private static readonly MsyncMode[] MsyncModes = Enum.GetValues<MsyncMode>();
    private static readonly MadviseMode[] MadviseModes = Enum.GetValues<MadviseMode>();
    private static readonly DaemonAction[] DaemonActions = Enum.GetValues<DaemonAction>();

    /// <summary>
    /// The file ops: half of them a mapping of one of the three files, shared or private, at a page offset
    /// that keeps it inside the file, fixed in the window or at the first fit; then msync and madvise over
    /// the window, and the page daemon on any physical page.
    /// </summary>
    private static KernelOp FileOp(ref Rng rng, int pid, ulong addr, int pages)
    {
        switch (rng.Below(6))
        {
            case 3:
                return new ProcMsync(pid, addr, pages, rng.Pick<MsyncMode>(MsyncModes));
            case 4:
                return new ProcMadvise(pid, addr, pages, rng.Pick<MadviseMode>(MadviseModes));
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
