using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>uvm_vnode.c: uvn_get for one page, uvn_cluster, uvn_put/uvn_io, and the end-of-flush iosync.</summary>
public static class Uvn
{
    /// <summary>MAXBSIZE: the largest cluster uvn_cluster offers.</summary>
    public const long MaxBSize = 64 * 1024;

    /// <summary>
    /// uvn_get for one non-resident page: read the block from the file.
    /// => returns the page BUSY and clean, or null with the reason in <paramref name="error"/>
    /// </summary>
    public static VmPage? Get(Uvm uvm, VnodeObject vn, long offset, out string? error)
    {
        if (offset >= K.RoundPage(vn.USize))
        {
            error = "EINVAL";
            return null;
        }
        var pg = Pages.Pages.Alloc(uvm, vn, offset, zero: false, Owners.OtherThread);
        if (pg is null)
        {
            error = "ENOMEM";
            return null;
        }
        error = null;
        pg.Data = vn.File[(int)(offset >> K.PageShift)];
        pg.Flags &= ~PgFlags.Fake;
        pg.PmapModified = false;
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
    /// dropped for the I/O, so this is a sleep point; the hook may make the write fail.
    /// => the cluster pages are BUSY and owned by the caller throughout
    /// => returns true for VM_PAGER_OK, false for VM_PAGER_ERROR
    /// </summary>
    public static bool Put(Uvm uvm, VnodeObject vn, ReadOnlySpan<VmPage> cluster)
    {
        var first = cluster[0];
        if (first.Offset >= vn.USize)
            return false;
        var wake = uvm.Sleep(new SleepPoint("uvn_io", vn, first.Offset, IsIo: true));
        if (wake == WakeResult.IoError)
            return false;
        foreach (var pg in cluster)
        {
            vn.WriteBlock((int)(pg.Offset >> K.PageShift), pg.Data);
        }
        return true;
    }

    /// <summary>
    /// The tail of uvn_flush: with need_iosync, sleep until no I/O by other threads is in flight on
    /// the object (u_nio == 0). Busy pages owned by other threads stand for those I/Os.
    /// </summary>
    public static void WaitForIo(Uvm uvm, VnodeObject vn)
    {
        while (FirstPageUnderIo(vn) is { } pg)
            uvm.Sleep(new SleepPoint("uvn_flush", vn, pg.Offset, IsIo: false));
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
