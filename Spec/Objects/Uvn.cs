using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>uvm_vnode.c: uvn_get for one page, uvn_cluster, uvn_put/uvn_io, and the end-of-flush iosync.</summary>
public static class Uvn
{
    /// <summary>MAXBSIZE: the largest cluster uvn_cluster offers.</summary>
    public const long MaxBSize = 64 * 1024;

    /// <summary>
    /// uvn_get(PGO_SYNCIO) for one page that is not resident: allocate it BUSY for
    /// <paramref name="owner"/> and read its block from the file (uvn_io, UIO_READ).
    /// => offset inside round_page(u_size): every caller checks
    /// => the read drops the object lock: a sleep point when a routine under test is the caller, none
    ///    for a fault by another thread (see <see cref="OtherThreads.FaultIn"/>)
    /// => returns the page BUSY, CLEAN and unmodified, or null when no page is free
    ///    (<see cref="GetFailure.NoMemory"/>: the kernel sleeps in uvm_wait and retries)
    /// </summary>
    public static VmPage? Get(Uvm uvm, VnodeObject vn, long offset, string owner, out GetFailure failure)
    {
        var pg = Pages.Pages.Alloc(uvm, vn, offset, zero: false, owner);
        if (pg is null)
        {
            failure = GetFailure.NoMemory;
            return null;
        }
        failure = GetFailure.None;
        if (owner != Owners.OtherThread)
            uvm.Sleep(new SleepPoint("uvn_io", vn, offset, IsIo: true));
        pg.Data = vn.File[(int)(offset >> K.PageShift)];
        pg.Flags &= ~PgFlags.Fake;
        return pg;
    }

    /// <summary>uvn_cluster: [offset, offset + MAXBSIZE) clipped to round_page(u_size).</summary>
    public static (long Lo, long Hi) Cluster(VnodeObject vn, long offset)
    {
        if (offset >= vn.USize)
            throw K.Panic("uvn_cluster: offset out of range");
        long hi = offset + MaxBSize;
        long end = K.RoundPage(vn.USize);
        return (offset, hi > end ? end : hi);
    }

    /// <summary>
    /// uvn_put / uvn_io(UIO_WRITE): write the cluster's contents to the file. The object lock is
    /// dropped for the I/O, so this is a sleep point; the hook may make the write fail, or return
    /// VM_PAGER_AGAIN.
    /// => the cluster pages are BUSY and owned by the caller throughout
    /// => AGAIN only for a write that may not wait (no PGO_SYNCIO): uvn_io returns it when another
    ///    thread set UVM_VNODE_IOSYNC or uvm_pagermapin found no KVA, before any I/O. The model takes
    ///    the sleep first so that another thread can be the cause; a waiting write ignores the act
    /// </summary>
    public static PagerResult Put(Uvm uvm, VnodeObject vn, ReadOnlySpan<VmPage> cluster, PgoFlags flags)
    {
        var first = cluster[0];
        if (first.Offset >= vn.USize)
            return PagerResult.Error;
        var wake = uvm.Sleep(new SleepPoint("uvn_io", vn, first.Offset, IsIo: true));
        if (wake == WakeResult.IoError)
            return PagerResult.Error;
        if (wake == WakeResult.Again && (flags & PgoFlags.SyncIo) == 0)
            return PagerResult.Again;
        foreach (var pg in cluster)
        {
            vn.WriteBlock((int)(pg.Offset >> K.PageShift), pg.Data);
        }
        return PagerResult.Ok;
    }

    /// <summary>
    /// The tail of uvn_flush: with need_iosync, set UVM_VNODE_IOSYNC and sleep on u_nio until no I/O
    /// is in flight on the object. Busy pages owned by other threads stand for those I/Os; one wakeup
    /// comes when the last of them completes, so one sleep waits for all of them.
    /// => sleeps again only if another thread started I/O meanwhile. The offset in the sleep's
    ///    description is the first page under I/O, for the reader: the kernel sleeps on u_nio
    /// </summary>
    public static void WaitForIo(Uvm uvm, VnodeObject vn)
    {
        while (FirstPageUnderIo(vn) is { } pg)
            uvm.Sleep(new SleepPoint("uvn_flush", vn, pg.Offset, IsIo: false, AllIo: true));
    }

    private static VmPage? FirstPageUnderIo(VnodeObject vn)
    {
        for (long off = 0; off < vn.File.Length * K.PageSize; off += K.PageSize)
        {
            var pg = vn.Pages.Lookup(off);
            if (pg is not null && pg.Has(PgFlags.Busy) && pg.Owner == Owners.OtherThread)
                return pg;
        }
        return null;
    }
}
