using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_pager.c: uvm_mk_pcluster, uvm_pager_put and uvm_pager_dropcluster for vnode objects.
/// Unchanged by seed 000's diff, so the reference and the implementations share it; the window it
/// clusters in comes from the caller's start and stop, which is where a caller's bug shows.
/// </summary>
public static class Pager
{
    /// <summary>The size of uvn_flush's pps[] array: MAXBSIZE &gt;&gt; PAGE_SHIFT.</summary>
    public const int ClusterCapacity = (int)(Uvn.MaxBSize >> K.PageShift);

    /// <summary>
    /// uvm_mk_pcluster: grow a cluster of dirty pages around <paramref name="center"/>, backward then
    /// forward, inside [mlo, mhi) unless PGO_ALLPAGES.
    /// => page queues locked; center BUSY and write-protected by the caller
    /// => returns the cluster as pps[first .. first + count)
    /// => pps[] is a fixed stack array: an index outside it is a memory-safety violation, reported as
    ///    a panic the way a sanitizer would, instead of corrupting the caller's frame
    /// </summary>
    public static (int First, int Count) MakeCluster(
        Uvm uvm,
        VnodeObject vn,
        Span<VmPage> pps,
        VmPage center,
        PgoFlags flags,
        long mlo,
        long mhi
    )
    {
        var (lo, hi) = Uvn.Cluster(vn, center.Offset);
        if ((flags & PgoFlags.AllPages) == 0)
        {
            if (lo < mlo)
                lo = mlo;
            if (hi > mhi)
                hi = mhi;
        }
        if ((hi - lo) >> K.PageShift > pps.Length)
        {
            pps[0] = center;
            return (0, 1);
        }
        long centerIdx = (center.Offset - lo) >> K.PageShift;
        if (centerIdx < 0 || centerIdx >= pps.Length)
        {
            throw K.Panic(
                $"uvm_mk_pcluster: pps[{centerIdx}] written outside pps[{pps.Length}] "
                    + "(center page below the cluster window: lo > center->offset)"
            );
        }
        int first = (int)centerIdx;
        int count = 1;
        pps[first] = center;
        for (int forward = 0; forward <= 1; forward++)
        {
            long incr = forward == 1 ? K.PageSize : -K.PageSize;
            for (long curoff = center.Offset + incr; forward == 0 ? curoff >= lo : curoff < hi; curoff += incr)
            {
                var pclust = Pages.Pages.Lookup(vn, curoff);
                if (pclust is null)
                    break;
                if (!pclust.Has(PgFlags.QueueInactive))
                {
                    if ((flags & PgoFlags.DoActClust) == 0)
                        break;
                    if (!pclust.Has(PgFlags.CleanChk))
                    {
                        if ((pclust.Flags & (PgFlags.Clean | PgFlags.Busy)) == PgFlags.Clean && pclust.PmapModified)
                            pclust.Flags &= ~PgFlags.Clean;
                        pclust.Flags |= PgFlags.CleanChk;
                    }
                }
                if (pclust.Has(PgFlags.Clean | PgFlags.Busy))
                    break;
                pclust.Flags |= PgFlags.Busy;
                pclust.Owner = "uvm_mk_pcluster";
                if ((flags & (PgoFlags.Free | PgoFlags.SyncIo)) == PgoFlags.Free)
                    pclust.Flags |= PgFlags.Released;
                Pages.Pages.PageProtectRead(uvm, pclust);
                if (forward == 0)
                    pps[--first] = pclust;
                else
                    pps[first + count] = pclust;
                count++;
            }
        }
        return (first, count);
    }

    /// <summary>
    /// uvm_pager_put for an object page: cluster, drop the page-queue lock, write.
    /// => page queues locked on entry, unlocked on return
    /// => on error or AGAIN every cluster page but <paramref name="pg"/> is already unbusied
    ///    (uvm_pager_dropcluster), but the cluster is still returned in full, as the kernel does
    /// </summary>
    public static PagerResult Put(
        Uvm uvm,
        VnodeObject vn,
        VmPage pg,
        Span<VmPage> pps,
        PgoFlags flags,
        long start,
        long stop,
        out int first,
        out int count
    )
    {
        (first, count) = MakeCluster(uvm, vn, pps, pg, flags, start, stop);
        uvm.UnlockPageq();
        var result = Uvn.Put(uvm, vn, pps.Slice(first, count), flags);
        if (result != PagerResult.Ok && count > 1)
            DropCluster(pg, pps.Slice(first, count));
        return result;
    }

    /// <summary>uvm_pager_dropcluster after a failed object pageout: unbusy all pages but pg.</summary>
    public static void DropCluster(VmPage pg, Span<VmPage> cluster)
    {
        foreach (var p in cluster)
        {
            if (p == pg)
                continue;
            p.Flags &= ~(PgFlags.Busy | PgFlags.Wanted | PgFlags.Fake | PgFlags.Released);
            p.Owner = null;
        }
    }
}

/// <summary>What pgo_put returned: VM_PAGER_OK, VM_PAGER_ERROR or VM_PAGER_AGAIN (never PEND: writes are synchronous).</summary>
public enum PagerResult
{
    Ok,
    Error,
    Again,
}
