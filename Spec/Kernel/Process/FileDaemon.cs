using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// uvm_pdaemon.c on one page of a file, as the whole kernel's page daemon op runs it. Not under test, so
/// the reference and the composed kernels share it, as they share the object layer's page primitives
/// and pager: what differs between them is the object routines and the glue around them. Anon pages
/// are paged by each kernel itself (the reference's ReferenceKernel.AnonSwap.cs).
/// => each returns null when it acted, else an errno name saying why not
/// </summary>
public static class FileDaemon
{
    /// <summary>
    /// uvmpd_scan_active deactivating the page: uvm_pagedeactivate (every mapping goes, PG_CLEAN synced
    /// with the modified bit). => EBUSY, EPERM (wired: on no queue), EALREADY (already inactive)
    /// </summary>
    public static string? Deactivate(Uvm uvm, VmPage pg) => OtherThreads.Deactivate(uvm, pg.Object!, pg.Offset);

    /// <summary>
    /// uvmpd_scan_inactive cleaning a dirty inactive page: pmap_page_protect(PROT_NONE), PG_CLEAN synced
    /// with pmap_is_modified, then uvm_pager_put with PGO_ALLPAGES, which clusters the dirty inactive
    /// pages around it and writes them; each page written comes back CLEAN with its modified bit
    /// cleared and unbusied, and stays on the inactive queue for a later pass to free.
    /// => EINVAL for a page not on the inactive queue (the daemon cleans only those), EBUSY, EALREADY
    ///    for a page that is clean
    /// </summary>
    public static string? Clean(Uvm uvm, VmPage pg)
    {
        if (Scannable(pg) is { } refused)
            return refused;
        if (!SyncClean(uvm, pg))
            return "EALREADY";
        pg.Flags |= PgFlags.Busy;
        pg.Owner = "pagedaemon";
        Span<VmPage> pps = new VmPage[Pager.ClusterCapacity];
        uvm.LockPageq();
        Pager.Put(uvm, (VnodeObject)pg.Object!, pg, pps, PgoFlags.AllPages, 0, 0, out int first, out int count);
        foreach (var written in pps.Slice(first, count))
        {
            written.Flags = (written.Flags & ~(PgFlags.Busy | PgFlags.Wanted)) | PgFlags.Clean;
            written.Owner = null;
            written.PmapModified = false;
        }
        return null;
    }

    /// <summary>
    /// uvmpd_scan_inactive starting an asynchronous pageout of a dirty inactive page (VM_PAGER_PEND): the
    /// page's contents go to the file and the page is CLEAN with its modified bit cleared, but it stays
    /// BUSY, owned by the I/O in flight, until a thread waits for it: a sleep on it (uvm_pagewait, a
    /// flush's iosync) or a fault on it completes the I/O (uvm_aio_aiodone: the page unbusied).
    /// => EINVAL, EBUSY, EALREADY as for <see cref="Clean"/>
    /// </summary>
    public static string? StartPageout(Uvm uvm, VmPage pg)
    {
        if (Scannable(pg) is { } refused)
            return refused;
        if (!SyncClean(uvm, pg))
            return "EALREADY";
        var vn = (VnodeObject)pg.Object!;
        vn.WriteBlock((int)(pg.Offset >> K.PageShift), pg.Data);
        pg.Flags |= PgFlags.Busy | PgFlags.Clean;
        pg.Owner = Owners.OtherThread;
        pg.PmapModified = false;
        return null;
    }

    /// <summary>
    /// A fault on a page under another thread's I/O sleeps until it completes (uvn_get / uvm_pagewait),
    /// then goes on with the page: the I/O completes first (<see cref="OtherThreads.Unbusy"/>).
    /// => the page is not busy on return
    /// </summary>
    public static void WaitForIo(Uvm uvm, VmPage pg)
    {
        if (!pg.Has(PgFlags.Busy))
            return;
        string? refused = OtherThreads.Unbusy(uvm, pg.Object!, pg.Offset);
        K.Kassert(refused is null, "only another thread's I/O keeps a page busy between ops");
    }

    /// <summary>
    /// uvmpd_scan_inactive freeing a clean inactive page: pmap_page_protect(PROT_NONE), then uvm_pagefree.
    /// => EINVAL for a page not on the inactive queue, EBUSY, EAGAIN for a dirty page (clean it first)
    /// </summary>
    public static string? Free(Uvm uvm, VmPage pg)
    {
        if (Scannable(pg) is { } refused)
            return refused;
        if (SyncClean(uvm, pg))
            return "EAGAIN";
        Pages.Pages.Free(uvm, pg);
        return null;
    }

    /// <summary>=> null for a page the daemon's inactive scan may act on: EINVAL off the inactive queue, EBUSY when busy</summary>
    internal static string? Scannable(VmPage pg)
    {
        if (!pg.Has(PgFlags.QueueInactive))
            return "EINVAL";
        return pg.Has(PgFlags.Busy) ? "EBUSY" : null;
    }

    /// <summary>pmap_page_protect(PROT_NONE) and PG_CLEAN synced with the modified bit. => the page is dirty</summary>
    internal static bool SyncClean(Uvm uvm, VmPage pg)
    {
        Pages.Pages.PageProtectNone(uvm, pg);
        if (pg.Has(PgFlags.Clean) && pg.PmapModified)
            pg.Flags &= ~PgFlags.Clean;
        return !pg.Has(PgFlags.Clean);
    }
}
