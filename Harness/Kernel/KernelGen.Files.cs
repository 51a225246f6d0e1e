using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

public static partial class KernelGen
{
    /// <summary>
    /// The file ops: a mapping of one of the three files, shared or private, at a page offset that keeps it
    /// inside the file, fixed in the window or at the first fit.
    /// </summary>
    private static KernelOp FileOp(ref Rng rng, int pid, ulong addr, int pages)
    {
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
    /// <summary>A file mapping towards the plainest: private, one page, offset 0.</summary>
    private static IEnumerable<KernelOp> FileMmap(ProcMmapFile f)
    {
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
    }
}
