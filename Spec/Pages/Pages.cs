using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// uvm_page.c: uvm_pagealloc, uvm_pageclean, uvm_pagefree, uvm_pagewire, uvm_pageunwire,
/// uvm_pageactivate, uvm_pagedeactivate, uvm_pagedequeue, uvm_page_unbusy, uvm_pagewait.
/// These are shared by the reference and every implementation: seed 000's diff does not touch them,
/// and seed 002's version (the page-queue lock taken inside uvm_pageclean) is the one modelled.
/// </summary>
public static class Pages
{
    /// <summary>
    /// uvm_pagealloc into an object.
    /// => returns null when no page is free
    /// => the page comes back BUSY|FAKE, CLEAN unless <paramref name="zero"/>, on no queue
    /// => a page already at <paramref name="offset"/> trips the insert assertion
    /// </summary>
    public static VmPage? Alloc(Uvm uvm, UvmObject obj, long offset, bool zero, string owner)
    {
        var pg = uvm.TakeFreePage();
        if (pg is null)
            return null;
        K.Kassert(pg.Has(PgFlags.QueueFree), "pg->pg_flags & PQ_FREE");
        uvm.Exp.Free--;
        pg.Flags = PgFlags.Busy | PgFlags.Fake | (zero ? PgFlags.None : PgFlags.Clean);
        if (obj is AnonObject)
            pg.Flags |= PgFlags.QueueAobj;
        pg.WireCount = 0;
        pg.Object = obj;
        pg.Offset = offset;
        pg.PmapModified = false;
        pg.Mapping = PmapMapping.None;
        pg.Data = 0;
        pg.Owner = owner;
        Insert(obj, pg);
        return pg;
    }

    /// <summary>uvm_pageinsert: tables the page in its object.</summary>
    public static void Insert(UvmObject obj, VmPage pg)
    {
        K.Kassert(!pg.Has(PgFlags.Tabled), "(pg->pg_flags & PG_TABLED) == 0");
        var dupe = obj.Pages.Insert(pg);
        K.Kassert(dupe is null, "dupe == NULL");
        pg.Flags |= PgFlags.Tabled;
        obj.NPages++;
    }

    /// <summary>uvm_pageremove: untables the page and bumps its version.</summary>
    public static void Remove(UvmObject obj, VmPage pg)
    {
        K.Kassert(pg.Has(PgFlags.Tabled), "pg->pg_flags & PG_TABLED");
        obj.Pages.Remove(pg);
        pg.Flags &= ~PgFlags.Tabled;
        obj.NPages--;
        pg.Object = null;
        pg.Version++;
    }

    /// <summary>
    /// uvm_pageclean: detach the page from everything it belongs to.
    /// => takes the page-queue lock itself to dequeue; the caller must not hold it for a queued page
    /// => the page has no mappings left
    /// </summary>
    public static void Clean(Uvm uvm, VmPage pg)
    {
        if (pg.Has(PgFlags.Tabled))
            Remove(pg.Object!, pg);
        if (pg.Has(PgFlags.Queued))
        {
            uvm.LockPageq();
            Dequeue(uvm, pg);
            uvm.UnlockPageq();
        }
        if (pg.WireCount != 0)
        {
            pg.WireCount = 0;
            uvm.Exp.Wired--;
        }
        pg.Flags &= ~(
            PgFlags.QueueAnon
            | PgFlags.QueueAobj
            | PgFlags.QueueEncrypt
            | PgFlags.Zero
            | PgFlags.Fake
            | PgFlags.Busy
            | PgFlags.Released
            | PgFlags.Clean
            | PgFlags.CleanChk
            | PgFlags.Wanted
        );
        pg.Owner = null;
        pg.PmapModified = false;
        pg.Mapping = PmapMapping.None;
    }

    /// <summary>uvm_pagefree: clean the page and return it to the free cache.</summary>
    public static void Free(Uvm uvm, VmPage pg)
    {
        K.Kassert(!pg.Has(PgFlags.QueueFree), "(pg->pg_flags & PQ_FREE) == 0");
        Clean(uvm, pg);
        pg.Flags = PgFlags.QueueFree;
        uvm.ReturnFreePage(pg);
        uvm.Exp.Free++;
    }

    /// <summary>
    /// uvm_pagedequeue. Every caller holds the page-queue lock, but uvm_page.c 1.183 asserts nothing
    /// here (uvm_pagewire, uvm_pageunwire and uvm_pageactivate assert it themselves).
    /// </summary>
    public static void Dequeue(Uvm uvm, VmPage pg)
    {
        if (pg.Has(PgFlags.QueueActive))
        {
            uvm.Active.Remove(pg);
            uvm.Exp.Active--;
        }
        if (pg.Has(PgFlags.QueueInactive))
        {
            uvm.Inactive.Remove(pg);
            uvm.Exp.Inactive--;
        }
    }

    /// <summary>uvm_pagewire. => page-queue lock held</summary>
    public static void Wire(Uvm uvm, VmPage pg)
    {
        K.Kassert(uvm.PageqLocked, "MUTEX_ASSERT_LOCKED(&uvm.pageqlock)");
        if (pg.WireCount == 0)
        {
            Dequeue(uvm, pg);
            uvm.Exp.Wired++;
        }
        pg.WireCount++;
    }

    /// <summary>
    /// uvm_pageunwire. => page-queue lock held
    /// => there is no underflow check: unwiring an unwired page wraps wire_count, as in the kernel
    /// </summary>
    public static void Unwire(Uvm uvm, VmPage pg)
    {
        K.Kassert(uvm.PageqLocked, "MUTEX_ASSERT_LOCKED(&uvm.pageqlock)");
        pg.WireCount--;
        if (pg.WireCount == 0)
        {
            Activate(uvm, pg);
            uvm.Exp.Wired--;
        }
    }

    /// <summary>uvm_pageactivate: to the active tail, unless wired. => page-queue lock held</summary>
    public static void Activate(Uvm uvm, VmPage pg)
    {
        Dequeue(uvm, pg);
        if (pg.WireCount == 0)
        {
            uvm.Active.InsertTail(pg);
            uvm.Exp.Active++;
        }
    }

    /// <summary>
    /// uvm_pagedeactivate. => page-queue lock held
    /// => all mappings go first; a page already inactive stays where it is
    /// </summary>
    public static void Deactivate(Uvm uvm, VmPage pg)
    {
        K.Kassert(uvm.PageqLocked, "MUTEX_ASSERT_LOCKED(&uvm.pageqlock)");
        PageProtectNone(uvm, pg);
        if (pg.Has(PgFlags.QueueActive))
        {
            uvm.Active.Remove(pg);
            uvm.Exp.Active--;
        }
        if (!pg.Has(PgFlags.QueueInactive))
        {
            K.Kassert(pg.WireCount == 0, "pg->wire_count == 0");
            uvm.Inactive.InsertTail(pg);
            uvm.Exp.Inactive++;
            if (pg.PmapModified)
                pg.Flags &= ~PgFlags.Clean;
        }
    }

    /// <summary>
    /// uvm_page_unbusy for one page: wake sleepers; a RELEASED page is freed, any other loses BUSY.
    /// </summary>
    public static void Unbusy(Uvm uvm, VmPage pg)
    {
        K.Kassert(pg.Has(PgFlags.Busy), "pg->pg_flags & PG_BUSY");
        if (pg.Has(PgFlags.Released))
        {
            PageProtectNone(uvm, pg);
            Free(uvm, pg);
            return;
        }
        pg.Flags &= ~(PgFlags.Busy | PgFlags.Wanted);
        pg.Owner = null;
    }

    /// <summary>
    /// uvm_pagewait: sleep until the busy page is released.
    /// => returns without the object lock; the page may be freed or reused by then, so callers
    ///    must save anything they need from it before calling
    /// </summary>
    public static void Wait(Uvm uvm, VmPage pg, string wmesg)
    {
        K.Kassert(pg.Has(PgFlags.Busy), "pg->pg_flags & PG_BUSY");
        pg.Flags |= PgFlags.Wanted;
        uvm.Sleep(new SleepPoint(wmesg, pg.Object!, pg.Offset, IsIo: false));
    }

    /// <summary>
    /// pmap_page_protect(pg, PROT_NONE). The object layer has no pmap: the pmap modified bit and what
    /// the page's mappings allow (<see cref="VmPage.Mapping"/>) live in the page. The call stays where
    /// the kernel makes it, so the routines keep the kernel's shape and the pmap layer has one place
    /// to plug in. => no mapping is left
    /// </summary>
    public static void PageProtectNone(Uvm uvm, VmPage pg) => pg.Mapping = PmapMapping.None;

    /// <summary>
    /// pmap_page_protect(pg, PROT_READ) before a pageout; see <see cref="PageProtectNone"/>.
    /// => writable mappings become read-only; a page with no mapping keeps none
    /// </summary>
    public static void PageProtectRead(Uvm uvm, VmPage pg)
    {
        if (pg.Mapping == PmapMapping.Write)
            pg.Mapping = PmapMapping.Read;
    }

    /// <summary>
    /// uvm_pagelookup: the page at exactly <paramref name="offset"/>, or null.
    /// => a page found in an object with uo_npages == 0 trips KASSERT(pg == NULL || obj->uo_npages != 0)
    /// => a RELEASED page that nobody holds BUSY trips KASSERT(pg == NULL || !RELEASED || BUSY): a page
    ///    released by its I/O's owner is freed when that owner unbusies it, so nobody may find it unbusy
    /// </summary>
    public static VmPage? Lookup(UvmObject obj, long offset)
    {
        var pg = obj.Pages.Lookup(offset);
        if (pg is null)
            return null;
        K.Kassert(obj.NPages != 0, "pg == NULL || obj->uo_npages != 0");
        K.Kassert(
            !pg.Has(PgFlags.Released) || pg.Has(PgFlags.Busy),
            "pg == NULL || (pg->pg_flags & PG_RELEASED) == 0 || (pg->pg_flags & PG_BUSY) != 0"
        );
        return pg;
    }
}
