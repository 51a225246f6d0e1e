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
    /// <summary>The default wake-up: the I/O the sleeper waited for completes.</summary>
    public static void CompleteIo(Uvm uvm, SleepPoint point)
    {
        if (point.IsIo)
            return;
        Unbusy(uvm, point.Object, point.Offset);
    }

    /// <summary>A fault brings the page in (pgo_get), activates it and unbusies it.</summary>
    public static string? FaultIn(Uvm uvm, UvmObject obj, long offset, bool readFails)
    {
        if (offset < 0 || offset >= K.RoundPage(obj.Size))
            return "EINVAL";
        if (obj.Pages.Lookup(offset) is not null)
            return "EEXIST";
        string? error;
        var pg = obj switch
        {
            AnonObject aobj => Aobj.Get(uvm, aobj, offset, readFails, out error),
            VnodeObject vn => Uvn.Get(uvm, vn, offset, out error),
            _ => throw K.Panic("fault on an object without pgo_get"),
        };
        if (pg is null)
            return error;
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

    /// <summary>A write through a mapping: the pmap's modified bit is set and the contents change.</summary>
    public static string? Dirty(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (pg.Has(PgFlags.Busy))
            return "EBUSY";
        pg.PmapModified = true;
        pg.Data = ++uvm.WriteCounter;
        return null;
    }

    /// <summary>The pagedaemon deactivates the page (wired pages stay put).</summary>
    public static string? Deactivate(Uvm uvm, UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return "ENOENT";
        if (IsRoutineOwned(pg))
            return "EBUSY";
        if (pg.WireCount != 0)
            return "EPERM";
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
