using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec;

/// <summary>
/// Everything a user of the page layer could see, visited in one canonical order. A fingerprint and a
/// text rendering are both built from this one walk, so they cannot disagree about what is observed.
/// Physical frames and swap slot numbers are not observed: allocators may differ, contents may not.
/// </summary>
public interface IUvmObserver
{
    void Counters(UvmExp exp);

    void Object(UvmObject obj);

    void Page(VmPage pg);

    /// <summary>A swap slot of an aobj page index: <paramref name="bad"/> for SWSLOT_BAD.</summary>
    void SwapSlot(int pageIndex, bool bad, long data);

    void FileBlock(long offset, long data);

    void QueueEntry(PageQueue queue, VmPage pg);
}

public static class UvmObservation
{
    /// <summary>The pg_flags a user can tell apart; PQ_FREE and PQ_ITER are bookkeeping.</summary>
    public const PgFlags Observed =
        PgFlags.Busy
        | PgFlags.Wanted
        | PgFlags.Tabled
        | PgFlags.Clean
        | PgFlags.CleanChk
        | PgFlags.Released
        | PgFlags.Fake
        | PgFlags.QueueActive
        | PgFlags.QueueInactive
        | PgFlags.QueueAobj;

    /// <summary>Visit the machine in canonical order. <paramref name="scratch"/> is reused between calls.</summary>
    public static void Walk(Uvm uvm, IUvmObserver observer, List<VmPage> scratch)
    {
        observer.Counters(uvm.Exp);
        foreach (var obj in uvm.Objects)
        {
            observer.Object(obj);
            scratch.Clear();
            obj.Pages.CollectInOrder(scratch);
            foreach (var pg in scratch)
                observer.Page(pg);
            switch (obj)
            {
                case AnonObject aobj:
                    for (int i = 0; i < aobj.Slots.Length; i++)
                    {
                        if (aobj.Slots[i] != 0)
                            observer.SwapSlot(i, aobj.Slots[i] == SwapSpace.SlotBad, aobj.SlotData[i]);
                    }
                    break;
                case VnodeObject vn:
                    for (int i = 0; i < vn.File.Length; i++)
                    {
                        if (vn.File[i] != 0)
                            observer.FileBlock((long)i << Kernel.K.PageShift, vn.File[i]);
                    }
                    break;
            }
        }
        for (var pg = uvm.Active.Head; pg is not null; pg = pg.QueueNext)
            observer.QueueEntry(uvm.Active, pg);
        for (var pg = uvm.Inactive.Head; pg is not null; pg = pg.QueueNext)
            observer.QueueEntry(uvm.Inactive, pg);
    }
}
