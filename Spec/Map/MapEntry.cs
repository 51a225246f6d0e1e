namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.h struct vm_map_entry, the fields the model keeps. Free space follows the entry:
/// [End, End + FreeSpace) is unmapped and belongs to this entry (VMMAP_FREE_START/END, no guard pages
/// in a user vmspace).
/// </summary>
public sealed class MapEntry
{
    public ulong Start;
    public ulong End;

    /// <summary>fspace: free bytes after End up to the next entry's start (or the map's end).</summary>
    public ulong FreeSpace;

    public EType EType;
    public Prot Protection;
    public Prot MaxProtection;
    public Inherit Inheritance;
    public Advice Advice;

    /// <summary>wired_count: 0 means pageable.</summary>
    public int WiredCount;

    /// <summary>object.uvm_obj: a file object 1..3, or 0.</summary>
    public int Obj;

    /// <summary>offset: the object offset of Start.</summary>
    public ulong Offset;

    /// <summary>aref.ar_amap.</summary>
    public Amap? Amap;

    /// <summary>aref.ar_pageoff: the amap slot of Start.</summary>
    public int PageOff;

    public ulong FreeEnd => End + FreeSpace;

    public int Pages => (int)((End - Start) >> MapConst.PageShift);

    public bool IsHole => (EType & EType.Hole) != 0;

    public bool IsWired => WiredCount != 0;

    /// <summary>uvm_mapent_copy: every field, including wired_count.</summary>
    public MapEntry Copy() => (MapEntry)MemberwiseClone();

    public EntryFacts Facts() =>
        new(
            Start,
            End,
            FreeSpace,
            Protection,
            MaxProtection,
            Inheritance,
            Advice,
            WiredCount,
            EType,
            Obj,
            Offset,
            Amap?.Id ?? 0,
            Amap is null ? 0 : PageOff
        );
}
