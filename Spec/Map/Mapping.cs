using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.c and uvm_mmap.c: mapping and unmapping. uvm_map/uvm_mapanon with UVM_FLAG_FIXED|UVM_FLAG_UNMAP
/// (mmap MAP_FIXED), placement at the first address that fits, sys_munmap with uvm_map_checkprot and
/// uvm_unmap_remove, uvm_map_mkentry, uvm_mapent_mkfree, uvm_unmap_kill_entry and uvm_unmap_detach.
/// Errors are errno names; null is success.
/// </summary>
public static class Mapping
{
    /// <summary>
    /// mmap(addr, size, prot, MAP_FIXED | kind) with maximum protection <paramref name="max"/>.
    /// => EINVAL outside [min, max) or for an empty range; EACCES when prot exceeds max (nothing changed)
    /// => EPERM when an IMMUTABLE entry lies in the range (nothing unmapped)
    /// => ENOMEM when a HOLE survives the unmap in the range (holes are kept)
    /// </summary>
    public static string? MapFixed(
        VmMap map,
        ulong addr,
        ulong size,
        Prot prot,
        Prot max,
        MapKind kind,
        int obj,
        ulong offset
    )
    {
        if (size == 0 || addr < map.Min || size > map.Max - addr)
            return "EINVAL";
        if ((prot & max) != prot)
            return "EACCES";
        if (UnmapRemove(map, addr, addr + size) is { } error)
            return error;
        if (!IsAvailable(map, addr, size))
            return "ENOMEM";
        MakeEntry(map, addr, size, prot, max, kind, obj, offset);
        return null;
    }

    /// <summary>
    /// mmap without MAP_FIXED. The kernel randomises placement (uaddr_rnd); every side of this model uses
    /// one deterministic policy instead: the lowest address at or above min_offset where the whole range
    /// is free (first fit, address order).
    /// => the chosen address in <paramref name="addr"/>; EACCES when prot exceeds max; ENOMEM when nothing fits
    /// </summary>
    public static string? MapAnywhere(
        VmMap map,
        ulong size,
        Prot prot,
        Prot max,
        MapKind kind,
        int obj,
        ulong offset,
        out ulong addr
    )
    {
        addr = 0;
        if (size == 0)
            return "EINVAL";
        if ((prot & max) != prot)
            return "EACCES";
        if (map.LeadingFree >= size)
            addr = map.Min;
        else
        {
            var fit = map.Entries.FirstOrDefault(e => e.FreeSpace >= size);
            if (fit is null)
                return "ENOMEM";
            addr = fit.End;
        }
        MakeEntry(map, addr, size, prot, max, kind, obj, offset);
        return null;
    }

    /// <summary>
    /// sys_munmap: uvm_map_checkprot(map, addr, addr + size, PROT_NONE) first, so a range with a gap or a
    /// HOLE is EINVAL and nothing is removed; then uvm_unmap_remove with checkimmutable (EPERM).
    /// </summary>
    public static string? Unmap(VmMap map, ulong addr, ulong size)
    {
        if (size == 0 || addr < map.Min || size > map.Max - addr)
            return "EINVAL";
        if (!CheckProt(map, addr, addr + size))
            return "EINVAL";
        return UnmapRemove(map, addr, addr + size);
    }

    /// <summary>
    /// uvm_map_checkprot(map, start, end, PROT_NONE): TRUE when [start, end) is mapped without a gap or HOLE.
    /// => the caller has checked that start &lt; end lie inside the map (the function's own bounds checks)
    /// </summary>
    public static bool CheckProt(VmMap map, ulong start, ulong end)
    {
        var entry = map.EntryByAddr(start);
        if (entry is null)
            return false;
        for (; entry is not null && entry.Start < end; entry = map.Next(entry))
        {
            if (entry.IsHole || (entry.End < end && entry.End != entry.FreeEnd))
                return false;
        }
        return true;
    }

    /// <summary>
    /// uvm_unmap_remove(map, start, end, dead, remove_holes = FALSE, markfree = TRUE, checkimmutable = TRUE).
    /// => the caller has checked that start &lt; end lie inside the map (the clamp and the empty-range return)
    /// => EPERM, with nothing changed, if an IMMUTABLE entry lies in the range
    /// => clips both ends; HOLEs are clipped but kept; each removed entry is killed (unwired first), its
    ///    space given to the entry before it, then detached (amap_unref, pgo_detach)
    /// </summary>
    public static string? UnmapRemove(VmMap map, ulong start, ulong end)
    {
        var entry = map.EntryByAddr(start);
        for (var e = map.FirstFrom(start); e is not null && e.Start < end; e = map.Next(e))
        {
            if (!e.IsHole && (e.EType & EType.Immutable) != 0)
                return "EPERM";
        }
        if (entry is null || entry.End <= start)
            entry = entry is null ? map.First : map.Next(entry);
        else
            Clip.Start(map, entry, start);
        while (entry is not null && entry.Start < end)
        {
            Clip.End(map, entry, end);
            var next = map.Next(entry);
            if (!entry.IsHole)
            {
                KillEntry(map, entry);
                map.Size -= entry.End - entry.Start;
                MakeFree(map, entry);
                Detach(map, entry);
            }
            entry = next;
        }
        return null;
    }

    /// <summary>uvm_map_isavail: no entry but free space meets [addr, addr + size).</summary>
    public static bool IsAvailable(VmMap map, ulong addr, ulong size)
    {
        foreach (var entry in map.Entries)
        {
            if (entry.Start < addr + size && entry.End > addr)
                return false;
        }
        return true;
    }

    /// <summary>
    /// uvm_map_mkentry and the entry set-up of uvm_map/uvm_mapanon for <paramref name="kind"/>.
    /// => the entry before the new one keeps only the free space up to it; the new one gets the rest
    /// </summary>
    private static void MakeEntry(
        VmMap map,
        ulong addr,
        ulong size,
        Prot prot,
        Prot max,
        MapKind kind,
        int obj,
        ulong offset
    )
    {
        var before = map.EntryByAddr(addr);
        ulong freeEnd = before?.FreeEnd ?? map.First?.Start ?? map.Max;
        K.Kassert(freeEnd >= addr + size, "VMMAP_FREE_END(last) >= addr + sz");
        var entry = new MapEntry
        {
            Start = addr,
            End = addr + size,
            FreeSpace = freeEnd - (addr + size),
            Protection = prot,
            MaxProtection = max,
            Advice = Advice.Normal,
        };
        switch (kind)
        {
            case MapKind.Private:
                entry.EType = EType.CopyOnWrite | EType.NeedsCopy;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.Stack:
                entry.EType = EType.CopyOnWrite | EType.NeedsCopy | EType.Stack;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.Shared:
                entry.Inheritance = Inherit.Share;
                entry.Amap = map.NewAmap(entry.Pages);
                break;
            case MapKind.FilePrivate:
                entry.EType = EType.Obj | EType.CopyOnWrite | EType.NeedsCopy;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.FileShared:
                entry.EType = EType.Obj;
                entry.Inheritance = Inherit.Share;
                break;
            case MapKind.Hole:
                entry.EType = EType.Hole;
                entry.Protection = entry.MaxProtection = Prot.None;
                entry.Inheritance = Inherit.None;
                break;
        }
        if ((entry.EType & EType.Obj) != 0)
        {
            entry.Obj = obj;
            entry.Offset = offset;
            map.ObjectRefs[obj]++;
        }
        if (before is not null)
            before.FreeSpace = addr - before.End;
        map.InsertAfter(before, entry);
        if (kind != MapKind.Hole)
            map.Size += size;
    }

    /// <summary>
    /// uvm_map_teardown, then uvm_unmap_detach of every entry: exit's end of a vmspace. No clipping and no
    /// free-space fix-up; each entry is killed (a wired one unwired) and detached (amap_unref, pgo_detach),
    /// then the map is empty.
    /// => the amaps and anons it shared with other maps keep only the others' references
    /// </summary>
    public static void Teardown(VmMap map)
    {
        foreach (var entry in map.Entries)
        {
            if (!entry.IsHole)
                KillEntry(map, entry);
        }
        foreach (var entry in map.Entries)
            Detach(map, entry);
        map.Reset();
    }

    /// <summary>uvm_mapent_mkfree with markfree: the entry's range and free space go to the entry before it.</summary>
    private static void MakeFree(VmMap map, MapEntry entry)
    {
        if (map.Prev(entry) is { } prev)
            prev.FreeSpace += entry.FreeEnd - entry.Start;
        map.Remove(entry);
    }

    /// <summary>uvm_unmap_kill_entry: a wired entry is unwired (wired_count = 0, uvm_fault_unwire_locked); pmap_remove.</summary>
    private static void KillEntry(VmMap map, MapEntry entry)
    {
        if (!entry.IsWired)
            return;
        entry.WiredCount = 0;
        Faults.UnwirePages(map, entry, entry.Start, entry.End);
    }

    /// <summary>uvm_unmap_detach: amap_unref(ar_pageoff, npages, all = FALSE), then pgo_detach.</summary>
    private static void Detach(VmMap map, MapEntry entry)
    {
        entry.Amap?.Unref(entry.PageOff, entry.Pages);
        if ((entry.EType & EType.Obj) != 0)
            map.ObjectRefs[entry.Obj]--;
    }
}
