namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.c: uvm_map_pageable (mlock and munlock below the syscall, which turns every error into
/// ENOMEM), uvm_map_pageable_wire and uvm_map_pageable_pgon. Errors are errno names; null is success.
/// </summary>
public static class Pageable
{
    /// <summary>
    /// uvm_map_pageable(map, start, end, new_pageable = <paramref name="unwire"/>, 0).
    /// => EFAULT when start is below the map, in free space or in a HOLE; EINVAL past the map's end or
    ///    for any gap or HOLE inside the range; nothing changes then
    /// => wiring clips the first entry only if it is not wired yet and the last only if it is not wired
    ///    yet. Mirror: an already-wired first or middle entry gets wired_count++ and a whole-entry
    ///    uvm_fault_wire (its pages are wired once more); an already-wired last entry is left out
    /// => the second pass walks on from each entry it wired: when a wire fault chunks an entry (a wired,
    ///    still NEEDSCOPY entry made writable since), the chunks after the first are wired once more
    /// => unwiring clips the first and last only if they are wired; every wired entry between gets
    ///    wired_count = 0 and uvm_fault_unwire_locked
    /// </summary>
    public static string? Run(VmMap map, ulong start, ulong end, bool unwire)
    {
        if (start > end)
            return "EINVAL";
        if (start == end)
            return null;
        if (start < map.Min)
            return "EFAULT";
        if (end > map.Max)
            return "EINVAL";
        var first = map.EntryByAddr(start);
        if (first is null || first.End <= start || first.IsHole)
            return "EFAULT";
        MapEntry? last;
        for (last = first; last is not null && last.Start < end; last = map.Next(last))
        {
            if (last.IsHole || (last.End < end && last.FreeEnd != last.End))
                return "EINVAL";
        }
        if (last is null)
        {
            last = map.Last;
            if (last.End < end)
                return "EINVAL";
        }
        else
            last = map.Prev(last)!;

        MapEntry? stop;
        if (unwire)
        {
            if (first.IsWired)
                Clip.Start(map, first, start);
            if (last.IsWired)
            {
                Clip.End(map, last, end);
                stop = map.Next(last);
            }
            else
                stop = last;
            for (var iter = first; iter is not null && iter != stop; iter = map.Next(iter))
            {
                if (!iter.IsWired || iter.IsHole)
                    continue;
                iter.WiredCount = 0;
                Faults.UnwirePages(map, iter, iter.Start, iter.End);
            }
            return null;
        }
        if (!first.IsWired)
            Clip.Start(map, first, start);
        if (!last.IsWired)
        {
            Clip.End(map, last, end);
            stop = map.Next(last);
        }
        else
            stop = last;
        for (var iter = first; iter is not null && iter != stop; iter = map.Next(iter))
        {
            if (iter.IsHole || iter.Protection == Prot.None)
                continue;
            if (
                !iter.IsWired
                && (iter.EType & EType.NeedsCopy) != 0
                && ((iter.Protection & Prot.W) != 0 || iter.Obj == 0)
            )
                Faults.AmapCopy(map, iter, canChunk: (iter.EType & EType.Stack) == 0, iter.Start, iter.End);
            iter.WiredCount++;
        }
        for (var iter = first; iter is not null && iter != stop; iter = map.Next(iter))
        {
            if (iter.IsHole || iter.Protection == Prot.None)
                continue;
            Faults.WirePages(map, iter.Start, iter.End, iter.Protection);
        }
        return null;
    }
}
