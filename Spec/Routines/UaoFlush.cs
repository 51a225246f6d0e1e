using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Routines;

/// <summary>uvm_aobj.c: uao_flush, as before seed 000's diff: one uvm_pagelookup per offset.</summary>
public static class UaoFlush
{
    /// <summary>
    /// Deactivate or free the resident pages of [start, stop).
    /// => PGO_ALLPAGES means the whole object; otherwise the range is truncated/rounded to pages and
    ///    stop is clamped to the object's size
    /// => without PGO_DEACTIVATE or PGO_FREE there is nothing to do (CLEANIT alone is a no-op)
    /// => a busy page is waited for and the same offset is looked up again
    /// => PGO_FREE with other references only deactivates; wired pages are skipped
    /// => any other flag mix (e.g. FREE|DEACTIVATE) panics "uao_flush: weird flags"
    /// </summary>
    public static bool Run(Uvm uvm, AnonObject aobj, long start, long stop, PgoFlags flags)
    {
        (start, stop) = Range(aobj, start, stop, flags);
        if ((flags & (PgoFlags.Deactivate | PgoFlags.Free)) == 0)
            return true;

        long curoff = start;
        while (curoff < stop)
        {
            var pg = Pages.Pages.Lookup(aobj, curoff);
            curoff += K.PageSize;
            if (pg is null)
                continue;
            if (pg.Has(PgFlags.Busy))
            {
                Pages.Pages.Wait(uvm, pg, "uaoflsh");
                curoff -= K.PageSize;
                continue;
            }
            Dispose(uvm, aobj, pg, flags);
        }
        return true;
    }

    /// <summary>The range uao_flush works on, shared by every version of it.</summary>
    public static (long Start, long Stop) Range(AnonObject aobj, long start, long stop, PgoFlags flags)
    {
        if ((flags & PgoFlags.AllPages) != 0)
            return (0, aobj.Size);
        start = K.TruncPage(start);
        stop = K.RoundPage(stop);
        return (start, stop > aobj.Size ? aobj.Size : stop);
    }

    /// <summary>The switch on (CLEANIT|FREE|DEACTIVATE) for one unbusy page; unchanged by the diff.</summary>
    public static void Dispose(Uvm uvm, AnonObject aobj, VmPage pg, PgoFlags flags)
    {
        switch (flags & (PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.Deactivate))
        {
            case PgoFlags.CleanIt | PgoFlags.Free:
            case PgoFlags.CleanIt | PgoFlags.Deactivate:
            case PgoFlags.Deactivate:
                DeactivateUnlessWired(uvm, pg);
                return;
            case PgoFlags.Free:
                if (aobj.Refs > 1)
                {
                    DeactivateUnlessWired(uvm, pg);
                    return;
                }
                if (pg.WireCount != 0)
                    return;
                Pages.Pages.PageProtectNone(uvm, pg);
                Aobj.DropSwap(uvm, aobj, (int)(pg.Offset >> K.PageShift));
                Pages.Pages.Free(uvm, pg);
                return;
            default:
                throw K.Panic("uao_flush: weird flags");
        }
    }

    private static void DeactivateUnlessWired(Uvm uvm, VmPage pg)
    {
        if (pg.WireCount != 0)
            return;
        uvm.LockPageq();
        Pages.Pages.Deactivate(uvm, pg);
        uvm.UnlockPageq();
    }
}
