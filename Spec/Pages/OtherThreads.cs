using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// What other threads do to an object's pages: fault a page in, start or finish I/O on it, write to
/// it, deactivate or free it. Ops between routine calls and interference during a routine's sleeps
/// both come here, so the reference and every implementation see the same world change.
/// => a page busy on behalf of the routine that is sleeping is off limits: nobody else touches it
/// => each returns null when it acted, else the errno name saying why it could not
/// </summary>
public static class OtherThreads
{
    /// <summary>
    /// The default wake-up: the I/O the sleeper waited for completes. For a pagewait that is the other
    /// thread's I/O on the page; for a wait on all of the object's I/O, every other thread's I/O on it.
    /// </summary>
    public static void CompleteIo(Uvm uvm, SleepPoint point)
    {
        if (point.IsIo)
            return;
        if (!point.AllIo)
        {
            Unbusy(uvm, point.Object, point.Offset);
            return;
        }
        var underIo = new List<VmPage>();
        point.Object.Pages.CollectInOrder(underIo);
        foreach (var pg in underIo)
        {
            if (pg.Has(PgFlags.Busy) && pg.Owner == Owners.OtherThread)
                Pages.Unbusy(uvm, pg);
        }
    }

    /// <summary>
    /// A fault through a shared writable mapping brings the page in (pgo_get), maps it, activates it and
    /// unbusies it (uvm_fault_lower: pmap_enter with the entry's protection, then uvm_pageactivate).
    /// => the faulting thread's own sleeps (the swap or file read, uvm_wait for a free page) are not
    ///    sleeps of any routine under test: the fault is one step here
    /// => out of memory is ENOMEM: the thread would wait in uvm_wait, so the fault does not happen now
    /// => a failed read is EIO: uvm_fault turns the pager's VM_PAGER_ERROR into EIO
    /// </summary>
    public static string? FaultIn(Uvm uvm, UvmObject obj, long offset, bool readFails)
    {
        if (offset < 0 || offset >= K.RoundPage(obj.Size))
            return "EINVAL";
        if (Pages.Lookup(obj, offset) is not null)
            return "EEXIST";
        var failure = GetFailure.None;
        var pg = obj switch
        {
            AnonObject aobj => Aobj.Get(uvm, aobj, offset, readFails, Owners.OtherThread, out failure),
            VnodeObject vn => Uvn.Get(uvm, vn, offset, Owners.OtherThread, out failure),
            _ => throw K.Panic("fault on an object without pgo_get"),
        };
        if (pg is null)
            return failure == GetFailure.NoMemory ? "ENOMEM" : "EIO";
        pg.Mapping = PmapMapping.Write;
        uvm.LockPageq();
        Pages.Activate(uvm, pg);
        uvm.UnlockPageq();
        Pages.Unbusy(uvm, pg);
        return null;
    }

    /// <summary>Another thread starts I/O on the page: it becomes BUSY, owned by that thread.</summary>
    public static string? Busy(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        pg.Flags |= PgFlags.Busy;
        pg.Owner = Owners.OtherThread;
        return null;
    }

    /// <summary>Another thread's I/O on the page completes: uvm_page_unbusy (which frees a RELEASED page).</summary>
    public static string? Unbusy(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (!pg.Has(PgFlags.Busy) || pg.Owner != Owners.OtherThread)
            return "EPERM";
        Pages.Unbusy(uvm, pg);
        return null;
    }

    /// <summary>
    /// A store through a mapping of the page. A page mapped writable takes it at once: the pmap's
    /// modified bit is set and the contents change. Any other page is write-faulted first
    /// (uvm_fault_lower): mapped writable and activated, moving to the active tail.
    /// => a busy page is EBUSY: the fault would wait for it, so the store does not happen now
    /// </summary>
    public static string? Dirty(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = Pages.Lookup(obj, offset);
        if (pg is null)
            return "ENOENT";
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        if (pg.Mapping != PmapMapping.Write)
        {
            pg.Mapping = PmapMapping.Write;
            uvm.LockPageq();
            Pages.Activate(uvm, pg);
            uvm.UnlockPageq();
        }
        pg.PmapModified = true;
        pg.Data = ++uvm.WriteCounter;
        return null;
    }

    /// <summary>
    /// The pagedaemon deactivates the page (uvmpd_scan_active): only a page on the active queue, and
    /// never a busy one (PG_BUSY: skipped), whoever holds it.
    /// => EBUSY for a busy page, EPERM for a wired one (on no queue), EALREADY for an inactive one
    /// </summary>
    public static string? Deactivate(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        if (pg.WireCount != 0)
            return "EPERM";
        if (!pg.Has(PgFlags.QueueActive))
            return "EALREADY";
        uvm.LockPageq();
        Pages.Deactivate(uvm, pg);
        uvm.UnlockPageq();
        return null;
    }

    /// <summary>
    /// Another thread frees the page (a truncation, or the owner of its I/O giving up on it); for an
    /// aobj its swap slot goes too, as in uao_flush.
    /// </summary>
    public static string? Free(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (IsRoutineOwned(pg))
            return "EBUSY";
        Pages.PageProtectNone(uvm, pg);
        if (obj is AnonObject aobj)
            Aobj.DropSwap(uvm, aobj, (int)(offset >> K.PageShift));
        Pages.Free(uvm, pg);
        return null;
    }

    /// <summary>The pagedaemon swaps an aobj page out.</summary>
    public static string? PageOut(Uvm uvm, UvmObject obj, long offset)
    {
        if (obj is not AnonObject aobj)
            return "EOPNOTSUPP";
        var pg = obj.Pages.Lookup(offset);
        return pg is null ? "ENOENT" : Aobj.PageOut(uvm, aobj, pg);
    }

    private static bool IsRoutineOwned(VmPage pg) => pg.Has(PgFlags.Busy) && pg.Owner != Owners.OtherThread;
}
