using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec;

/// <summary>
/// The page layer's invariants at a quiescent point (between operations): the uvm_tree_sanity idea
/// for pages. Run by the runner after every step on every side, never inside a routine. The checks of
/// one page, one object and the counters stand alone, so that a step can check just what it changed;
/// <see cref="Check"/> runs them over the whole machine.
/// => swpgonly is not bounded by swpginuse here: uvm_obj_wire's batch-index uao_dropswap (mirrored)
///    frees a slot without touching swpgonly, so the kernel itself breaks that bound
/// </summary>
public static class Invariants
{
    /// <summary>null when every invariant holds, else the first violation in one line.</summary>
    public static string? Check(Uvm uvm)
    {
        if (uvm.PageqLocked)
            return "uvm.pageqlock still held between operations";
        foreach (var obj in uvm.Objects)
        {
            if (CheckObject(obj) is { } broken)
                return broken;
        }
        if (CheckQueueWalk(uvm.Active) is { } a)
            return a;
        if (CheckQueueWalk(uvm.Inactive) is { } i)
            return i;
        var count = new PageCounts();
        foreach (var pg in uvm.Frames)
        {
            if (CheckPage(uvm, pg) is { } broken)
                return broken;
            count.Add(pg);
        }
        return CheckCounts(uvm, count);
    }

    /// <summary>The object's index is well formed and uo_npages is its size.</summary>
    public static string? CheckObject(UvmObject obj)
    {
        if (obj.Pages.Validate() is { } broken)
            return $"obj {obj.Id}: {broken}";
        if (obj.Pages.Count != obj.NPages)
            return $"obj {obj.Id}: uo_npages {obj.NPages} but {obj.Pages.Count} pages in the index";
        return null;
    }

    /// <summary>One page's flags, owner, wiring and queue links agree with each other and with its neighbours.</summary>
    public static string? CheckPage(Uvm uvm, VmPage pg)
    {
        if (pg.Has(PgFlags.QueueFree))
        {
            if (pg.Flags != PgFlags.QueueFree || pg.Object is not null)
                return $"{pg}: free page with flags {pg.Flags}";
            return pg.QueuePrev is null && pg.QueueNext is null ? null : $"{pg}: free page still linked on a queue";
        }
        if (pg.Has(PgFlags.Tabled) != (pg.Object is not null))
            return $"{pg}: PG_TABLED is {pg.Has(PgFlags.Tabled)} but owner is {pg.Object?.Id.ToString() ?? "none"}";
        if (pg.Object is { } obj && obj.Pages.Lookup(pg.Offset) != pg)
            return $"{pg}: PG_TABLED but not found in its object's index";
        if (pg.Has(PgFlags.Released) && !pg.Has(PgFlags.Busy))
            return $"{pg}: PG_RELEASED without PG_BUSY";
        if (pg.Has(PgFlags.Busy) && pg.Owner != Owners.OtherThread)
            return $"{pg}: still busy for {pg.Owner ?? "nobody"} after the operation returned";
        if (pg.Has(PgFlags.QueueActive) && pg.Has(PgFlags.QueueInactive))
            return $"{pg}: on both page queues";
        if (pg.WireCount != 0 && pg.Has(PgFlags.Queued))
            return $"{pg}: wired (wire_count {pg.WireCount}) but on a page queue";
        var queue =
            pg.Has(PgFlags.QueueActive) ? uvm.Active
            : pg.Has(PgFlags.QueueInactive) ? uvm.Inactive
            : null;
        if (queue is null)
            return pg.QueuePrev is null && pg.QueueNext is null ? null : $"{pg}: on no queue but still linked";
        if ((pg.QueuePrev is null ? queue.Head : pg.QueuePrev.QueueNext) != pg)
            return $"{pg}: broken forward link to it on the {queue.Name} queue";
        if ((pg.QueueNext is null ? queue.Tail : pg.QueueNext.QueuePrev) != pg)
            return $"{pg}: broken back link to it on the {queue.Name} queue";
        return null;
    }

    /// <summary>
    /// The checks a step can have broken, by what the object layer's setters listed (<see cref="Uvm.Changes"/>)
    /// since the list was last emptied: each listed object's index, each listed page, and the counters,
    /// recounted over every frame. => null at once when nothing is listed (the full <see cref="Check"/>
    /// adds the queue walks and every page and object)
    /// </summary>
    public static string? CheckChanged(Uvm uvm)
    {
        var changes = uvm.Changes;
        if (changes.Pages.Count == 0 && changes.Objects.Count == 0 && changes.Blocks.Count == 0)
            return null;
        foreach (var obj in changes.Objects)
        {
            if (CheckObject(obj) is { } broken)
                return broken;
        }
        foreach (var pg in changes.Pages)
        {
            if (CheckPage(uvm, pg) is { } broken)
                return broken;
        }
        var count = new PageCounts();
        foreach (var pg in uvm.Frames)
            count.Add(pg);
        return CheckCounts(uvm, count);
    }

    /// <summary>
    /// A kernel's check of its object layer after a step: <see cref="Check"/> with <paramref name="full"/>,
    /// else <see cref="CheckChanged"/>. => the change list is emptied for the next step
    /// </summary>
    public static string? CheckStep(Uvm uvm, bool full)
    {
        var verdict = full ? Check(uvm) : CheckChanged(uvm);
        uvm.Changes.Clear();
        return verdict;
    }

    /// <summary>How many pages are free, on each queue and wired: what the counters must say.</summary>
    public struct PageCounts
    {
        public int Free,
            Active,
            Inactive,
            Wired;

        public void Add(VmPage pg, int sign = 1)
        {
            if (pg.Has(PgFlags.QueueFree))
                Free += sign;
            if (pg.Has(PgFlags.QueueActive))
                Active += sign;
            if (pg.Has(PgFlags.QueueInactive))
                Inactive += sign;
            if (pg.WireCount != 0)
                Wired += sign;
        }
    }

    /// <summary>The lock is released, and the counters and queue lengths equal what the pages say.</summary>
    public static string? CheckCounts(Uvm uvm, PageCounts count)
    {
        if (uvm.PageqLocked)
            return "uvm.pageqlock still held between operations";
        var exp = uvm.Exp;
        if (count.Free != exp.Free || count.Free != uvm.FreeStackDepth)
            return $"uvmexp.free {exp.Free}, free cache {uvm.FreeStackDepth}, PQ_FREE pages {count.Free}";
        if (CheckQueueCount(uvm.Active, count.Active, exp.Active) is { } a)
            return a;
        if (CheckQueueCount(uvm.Inactive, count.Inactive, exp.Inactive) is { } i)
            return i;
        if (count.Wired != exp.Wired)
            return $"uvmexp.wired {exp.Wired} but {count.Wired} pages have wire_count > 0";
        return null;
    }

    private static string? CheckQueueCount(PageQueue queue, int flagged, int counter) =>
        flagged == counter && flagged == queue.Length
            ? null
            : $"{queue.Name} queue: {flagged} flagged, uvmexp says {counter}, TAILQ says {queue.Length}";

    private static string? CheckQueueWalk(PageQueue queue)
    {
        int length = 0;
        VmPage? prev = null;
        for (var pg = queue.Head; pg is not null; pg = pg.QueueNext)
        {
            if (!pg.Has(queue.Flag))
                return $"{pg}: on the {queue.Name} queue without its flag";
            if (pg.QueuePrev != prev)
                return $"{pg}: broken back link on the {queue.Name} queue";
            prev = pg;
            if (++length > queue.Length)
                return $"{queue.Name} queue: more pages linked than TAILQ says ({queue.Length})";
        }
        if (queue.Tail != prev)
            return $"{queue.Name} queue: tail does not end the list";
        return length == queue.Length ? null : $"{queue.Name} queue: {length} linked, TAILQ says {queue.Length}";
    }
}
