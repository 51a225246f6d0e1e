using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Routines;

/// <summary>uvm_object.c: uvm_obj_wire (shared by every version) and uvm_obj_unwire before seed 000's diff.</summary>
public static class ObjWire
{
    /// <summary>FETCH_PAGECOUNT: pages fetched per pgo_get batch.</summary>
    public const int FetchPageCount = StackPages.Length;

    /// <summary>UVM_PAGE_OWN tag of the pages uvm_obj_wire holds BUSY.</summary>
    public const string Owner = "uvm_obj_wire";

    /// <summary>
    /// uvm_obj_wire: fetch every page of [start, end) in batches, wire them, unbusy them.
    /// => page-aligned start and end inside the object
    /// => on a fetch error the pages wired so far are unwired and pgo_get's error returned as it is:
    ///    "VM_PAGER_ERROR", not an errno
    /// => reads from swap or the file are sleep points; with no free page pgo_get sleeps in uvm_wait
    ///    until one is freed, which nothing does during the call: a Hang
    /// => mirror: for aobj pages CLEAN is cleared and uao_dropswap is called with the index of the
    ///    page inside its batch, not the page's own index (present in the kernel since 2014)
    /// => returns null, or the errno name
    /// </summary>
    public static string? Wire(Uvm uvm, IObjectRoutines routines, UvmObject obj, long start, long end)
    {
        var pages = new StackPages();
        Span<VmPage> batch = pages;
        for (long offset = start; offset < end; )
        {
            int npages = (int)Math.Min(FetchPageCount, (end - offset) >> K.PageShift);
            string? error = GetAll(uvm, obj, offset, batch, npages);
            if (error is not null)
            {
                routines.ObjUnwire(uvm, obj, start, offset);
                return error;
            }
            for (int i = 0; i < npages; i++)
            {
                K.Kassert(!batch[i].Has(PgFlags.Released), "!(pgs[i]->pg_flags & PG_RELEASED)");
                if (batch[i].Has(PgFlags.QueueAobj))
                {
                    batch[i].Flags &= ~PgFlags.Clean;
                    Aobj.DropSwap(uvm, (AnonObject)obj, i);
                }
            }
            uvm.LockPageq();
            for (int i = 0; i < npages; i++)
                Pages.Pages.Wire(uvm, batch[i]);
            uvm.UnlockPageq();
            for (int i = 0; i < npages; i++)
                Pages.Pages.Unbusy(uvm, batch[i]);
            offset += (long)npages << K.PageShift;
        }
        return null;
    }

    /// <summary>
    /// pgo_get(PGO_ALLPAGES|PGO_SYNCIO) for one batch: every page resident and busied by us.
    /// => a busy page is waited for and looked up again; a missing one is read in (a sleep when read
    ///    from swap or the file)
    /// => on error the pages got so far in this batch are unbusied. Departure from the kernel, where
    ///    uao_get returns the error with them still BUSY and uvm_obj_wire's error path only unwires the
    ///    earlier batches, so they stay busy for good; mirrored, every run would end at that leak
    /// </summary>
    private static string? GetAll(Uvm uvm, UvmObject obj, long offset, Span<VmPage> batch, int npages)
    {
        for (int i = 0; i < npages; i++)
        {
            long off = offset + ((long)i << K.PageShift);
            VmPage? pg;
            while ((pg = Pages.Pages.Lookup(obj, off)) is not null && pg.Has(PgFlags.Busy))
                Pages.Pages.Wait(uvm, pg, obj is VnodeObject ? "uvn_get" : "uao_get");
            if (pg is null)
            {
                var failure = GetFailure.None;
                pg = obj switch
                {
                    AnonObject aobj => Aobj.Get(uvm, aobj, off, readFails: false, Owner, out failure),
                    VnodeObject vn => Uvn.Get(uvm, vn, off, Owner, out failure),
                    _ => throw K.Panic("uvm_obj_wire: object without pgo_get"),
                };
                if (failure == GetFailure.NoMemory)
                    throw new SimulationLimit(
                        "uvm_wait: uvm_obj_wire's pgo_get waits for a free page, and nothing frees one"
                    );
            }
            else
            {
                pg.Flags |= PgFlags.Busy;
            }
            if (pg is null)
            {
                for (int j = 0; j < i; j++)
                    Pages.Pages.Unbusy(uvm, batch[j]);
                return "VM_PAGER_ERROR";
            }
            pg.Owner = Owner;
            batch[i] = pg;
        }
        return null;
    }

    /// <summary>
    /// uvm_obj_unwire before the diff: every offset must hold a page.
    /// => page-aligned start and stop
    /// => a hole is KASSERT(pg != NULL); a released page is KASSERT(!(pg->pg_flags &amp; PG_RELEASED))
    /// </summary>
    public static void Unwire(Uvm uvm, UvmObject obj, long start, long stop)
    {
        uvm.LockPageq();
        for (long offset = start; offset < stop; offset += K.PageSize)
        {
            var pg = Pages.Pages.Lookup(obj, offset);
            K.Kassert(pg is not null, "pg != NULL");
            K.Kassert(!pg!.Has(PgFlags.Released), "!(pg->pg_flags & PG_RELEASED)");
            Pages.Pages.Unwire(uvm, pg);
        }
        uvm.UnlockPageq();
    }
}
