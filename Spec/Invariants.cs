using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec;

/// <summary>
/// The page layer's invariants at a quiescent point (between operations): the uvm_tree_sanity idea
/// for pages. Run by the runner after every step on every side, never inside a routine.
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
            if (obj.Pages.Validate() is { } broken)
                return $"obj {obj.Id}: {broken}";
            if (obj.Pages.Count != obj.NPages)
                return $"obj {obj.Id}: uo_npages {obj.NPages} but {obj.Pages.Count} pages in the index";
        }

        int free = 0,
            active = 0,
            inactive = 0,
            wired = 0;
        foreach (var pg in uvm.Frames)
        {
            if (pg.Has(PgFlags.QueueFree))
            {
                free++;
                if (pg.Flags != PgFlags.QueueFree || pg.Object is not null)
                    return $"{pg}: free page with flags {pg.Flags}";
                continue;
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
            if (pg.WireCount != 0)
            {
                wired++;
                if (pg.Has(PgFlags.Queued))
                    return $"{pg}: wired (wire_count {pg.WireCount}) but on a page queue";
            }
            if (pg.Has(PgFlags.QueueActive))
                active++;
            if (pg.Has(PgFlags.QueueInactive))
                inactive++;
        }

        var exp = uvm.Exp;
        if (free != exp.Free || free != uvm.FreeStackDepth)
            return $"uvmexp.free {exp.Free}, free cache {uvm.FreeStackDepth}, PQ_FREE pages {free}";
        if (CheckQueue(uvm.Active, active, exp.Active) is { } a)
            return a;
        if (CheckQueue(uvm.Inactive, inactive, exp.Inactive) is { } i)
            return i;
        if (wired != exp.Wired)
            return $"uvmexp.wired {exp.Wired} but {wired} pages have wire_count > 0";
        return null;
    }

    private static string? CheckQueue(PageQueue queue, int flagged, int counter)
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
            if (++length > flagged)
                break;
        }
        if (queue.Tail != prev)
            return $"{queue.Name} queue: tail does not end the list";
        if (length != flagged || length != counter || length != queue.Length)
            return $"{queue.Name} queue: {length} linked, {flagged} flagged, uvmexp says {counter}, TAILQ says {queue.Length}";
        return null;
    }
}
