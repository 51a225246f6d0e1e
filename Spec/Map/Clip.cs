using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>uvm_map.c: uvm_map_splitentry, UVM_MAP_CLIP_START (uvm_map_clip_start), UVM_MAP_CLIP_END (uvm_map_clip_end).</summary>
public static class Clip
{
    /// <summary>
    /// UVM_MAP_CLIP_START(map, entry, addr): acts only when entry->start &lt; addr.
    /// => <paramref name="entry"/> names the part that starts at <paramref name="addr"/> afterwards; a copy
    ///    takes its place as the lower part
    /// </summary>
    public static void Start(VmMap map, MapEntry entry, ulong addr)
    {
        if (entry.Start >= addr)
            return;
        var lower = entry.Copy();
        map.InsertAfter(map.Prev(entry), lower);
        Split(map, lower, entry, addr);
    }

    /// <summary>
    /// UVM_MAP_CLIP_END(map, entry, addr): acts only when entry->end &gt; addr.
    /// => <paramref name="entry"/> stays the lower part
    /// </summary>
    public static void End(VmMap map, MapEntry entry, ulong addr)
    {
        if (entry.End <= addr)
            return;
        var upper = entry.Copy();
        map.InsertAfter(entry, upper);
        Split(map, entry, upper, addr);
    }

    /// <summary>
    /// uvm_map_splitentry(map, orig, next, split) with next a copy of orig already in the map after it.
    /// => split is page-aligned and inside orig
    /// => both halves keep every field, wired_count included; the lower half's free space goes to 0 and
    ///    the upper half keeps it
    /// => amap: amap_splitref, the upper half's ar_pageoff advances by the pages split off
    /// => object: pgo_reference, the upper half's offset advances by the bytes split off
    /// </summary>
    private static void Split(VmMap map, MapEntry orig, MapEntry next, ulong split)
    {
        K.Kassert(MapConst.IsPageAligned(split), "(split & PAGE_MASK) == 0");
        K.Kassert(orig.Start < split && orig.FreeEnd > split, "orig->start < split && VMMAP_FREE_END(orig) > split");
        K.Kassert(split < orig.End, "split < orig->end");
        ulong adj = split - orig.Start;
        orig.FreeSpace = 0;
        orig.End = next.Start = split;
        if (next.Amap is { } amap)
        {
            amap.SplitRef(orig.PageOff, (int)(adj >> MapConst.PageShift));
            next.PageOff = orig.PageOff + (int)(adj >> MapConst.PageShift);
        }
        if ((orig.EType & EType.Obj) != 0)
        {
            map.ObjectRefs[orig.Obj]++;
            next.Offset += adj;
        }
    }
}
