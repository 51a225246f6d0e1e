namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.c: uvm_tree_sanity and uvm_tree_size_chk, the map layer's invariant. vm_dused is not checked:
/// the kernel's own mprotect makes it drift (uvm-semantics.md §9.1).
/// </summary>
public static class Sanity
{
    /// <summary>null, or the first violation: entries sorted, non-empty, page-aligned, tiling [min, max) with their free space, size the sum of non-HOLE entries.</summary>
    public static string? Check(VmMap map)
    {
        ulong addr = map.Min;
        ulong size = 0;
        bool first = true;
        foreach (var e in map.Entries)
        {
            if (first ? e.Start < addr : e.Start != addr)
                return $"entry 0x{e.Start:x}-0x{e.End:x} does not start where the previous free space ends (0x{addr:x})";
            first = false;
            if (e.End <= e.Start)
                return $"entry 0x{e.Start:x}-0x{e.End:x} is empty or reversed";
            if (
                !MapConst.IsPageAligned(e.Start)
                || !MapConst.IsPageAligned(e.End)
                || !MapConst.IsPageAligned(e.FreeSpace)
            )
                return $"entry 0x{e.Start:x}-0x{e.End:x} is not page-aligned";
            if (e.FreeEnd < e.End || e.FreeEnd > map.Max)
                return $"entry 0x{e.Start:x}-0x{e.End:x} has free space past the map (0x{e.FreeEnd:x})";
            if (e.Amap is { } amap && (e.PageOff < 0 || e.PageOff + e.Pages > amap.Slots.Length))
                return $"entry 0x{e.Start:x}-0x{e.End:x} reaches past its amap ({e.PageOff}+{e.Pages} > {amap.Slots.Length})";
            if (e.WiredCount < 0)
                return $"entry 0x{e.Start:x}-0x{e.End:x} has wired_count {e.WiredCount}";
            if (!e.IsHole)
                size += e.End - e.Start;
            addr = e.FreeEnd;
        }
        if (map.Entries.Count > 0 && addr != map.Max)
            return $"the last free space ends at 0x{addr:x}, not at the map's end 0x{map.Max:x}";
        if (size != map.Size)
            return $"map size 0x{map.Size:x}, should be 0x{size:x}";
        return null;
    }
}
