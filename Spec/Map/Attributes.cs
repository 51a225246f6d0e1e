namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.c: uvm_map_protect (mprotect, set_max FALSE, checkimmutable TRUE), uvm_map_inherit
/// (minherit), uvm_map_immutable (mimmutable) and uvm_map_advice (madvise NORMAL/RANDOM/SEQUENTIAL).
/// Errors are errno names; null is success.
/// </summary>
public static class Attributes
{
    /// <summary>
    /// uvm_map_protect(map, start, end, prot, 0, FALSE, TRUE).
    /// => validates every entry of the range before clipping anything: EPERM on IMMUTABLE, EACCES when
    ///    prot exceeds max_protection (nothing changed); unmapped parts and HOLEs are skipped
    /// => clips only the entries whose protection changes
    /// => mirror: an entry whose effective protection (without WRITE on a COPYONWRITE entry) becomes
    ///    NONE gets wired_count = 0 and its pages stay wired
    /// </summary>
    public static string? Protect(VmMap map, ulong start, ulong end, Prot prot)
    {
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, map.Min);
        end = Math.Min(end, map.Max);
        if (start >= end)
            return null;
        var first = map.FirstFrom(start);
        for (var iter = first; iter is not null && iter.Start < end; iter = map.Next(iter))
        {
            if (iter.IsHole)
                continue;
            if ((iter.EType & EType.Immutable) != 0)
                return "EPERM";
            if ((prot & iter.MaxProtection) != prot)
                return "EACCES";
        }
        for (var iter = first; iter is not null && iter.Start < end; iter = map.Next(iter))
        {
            if (iter.IsHole)
                continue;
            var old = iter.Protection;
            if (old == prot)
                continue;
            Clip.Start(map, iter, start);
            Clip.End(map, iter, end);
            iter.Protection = prot;
            var mask = (iter.EType & EType.CopyOnWrite) != 0 ? ~Prot.W : Prot.RWX;
            if ((iter.Protection & mask) == Prot.None && iter.IsWired)
                iter.WiredCount = 0;
        }
        return null;
    }

    /// <summary>
    /// uvm_map_inherit.
    /// => mirror: the start is clipped before validation, and the clip stays when the call then fails
    ///    with EPERM (an IMMUTABLE entry, or ZERO on an entry without WRITE)
    /// </summary>
    public static string? SetInherit(VmMap map, ulong start, ulong end, Inherit inheritance)
    {
        if (inheritance > Inherit.Zero)
            return "EINVAL";
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, map.Min);
        end = Math.Min(end, map.Max);
        if (start >= end)
            return null;
        var entry = ClippedFirst(map, start);
        for (var e = entry; e is not null && e.Start < end; e = map.Next(e))
        {
            if ((e.EType & EType.Immutable) != 0)
                return "EPERM";
            if (inheritance == Inherit.Zero && (e.Protection & Prot.W) == 0)
                return "EPERM";
        }
        for (; entry is not null && entry.Start < end; entry = map.Next(entry))
        {
            Clip.End(map, entry, end);
            entry.Inheritance = inheritance;
        }
        return null;
    }

    /// <summary>
    /// uvm_map_immutable(map, start, end, TRUE).
    /// => mirror: like minherit, the start clip stays when an INHERIT_ZERO entry makes it EPERM
    /// </summary>
    public static string? Immutable(VmMap map, ulong start, ulong end)
    {
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, map.Min);
        end = Math.Min(end, map.Max);
        if (start >= end)
            return null;
        var entry = ClippedFirst(map, start);
        for (var e = entry; e is not null && e.Start < end; e = map.Next(e))
        {
            if (e.Inheritance == Inherit.Zero)
                return "EPERM";
        }
        for (; entry is not null && entry.Start < end; entry = map.Next(entry))
        {
            Clip.End(map, entry, end);
            entry.EType |= EType.Immutable;
        }
        return null;
    }

    /// <summary>
    /// uvm_map_advice.
    /// => EINVAL for anything but NORMAL, RANDOM and SEQUENTIAL; clips both ends of the range; no gap check
    /// </summary>
    public static string? Advise(VmMap map, ulong start, ulong end, Advice advice)
    {
        if (advice > Advice.Sequential)
            return "EINVAL";
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, map.Min);
        end = Math.Min(end, map.Max);
        if (start >= end)
            return null;
        for (var entry = ClippedFirst(map, start); entry is not null && entry.Start < end; entry = map.Next(entry))
        {
            Clip.End(map, entry, end);
            entry.Advice = advice;
        }
        return null;
    }

    /// <summary>The entry at start clipped to start, or the first entry after start when start is unmapped.</summary>
    private static MapEntry? ClippedFirst(VmMap map, ulong start)
    {
        var entry = map.EntryByAddr(start);
        if (entry is not null && entry.End > start)
        {
            Clip.Start(map, entry, start);
            return entry;
        }
        return entry is null ? map.First : map.Next(entry);
    }
}
