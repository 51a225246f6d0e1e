using UvmDiff.Spec.Map;

namespace UvmDiff.Implementations.Map;

/// <summary>
/// vm_map_entry as the implementations keep it: the entry's fields, the RB-tree links and augmented
/// free space embedded as the kernel embeds RBT_ENTRY, and the fingerprint bookkeeping.
/// </summary>
public sealed class VmEntry
{
    public ulong Start;
    public ulong End;
    public ulong FreeSpace;
    public EType EType;
    public Prot Protection;
    public Prot MaxProtection;
    public Inherit Inheritance;
    public Advice Advice;
    public int WiredCount;
    public int Obj;
    public ulong Offset;
    public ChunkedAmap? Amap;
    public int PageOff;

    /// <summary>RB-tree links (RbTreeIndex only).</summary>
    public VmEntry? Left,
        Right,
        Parent;
    public bool Red;

    /// <summary>fspace_augment: the largest free space in this entry's subtree (RbTreeIndex only).</summary>
    public ulong FreeAugment;

    /// <summary>The B+-tree leaf holding the entry (BTreeIndex only).</summary>
    public object? Leaf;

    /// <summary>The fact hash this entry last added to the fingerprint.</summary>
    internal ulong Hash;
    internal bool Dirty;
    internal bool InMap;

    public ulong FreeEnd => End + FreeSpace;

    public int Pages => (int)((End - Start) >> MapConst.PageShift);

    public bool IsHole => (EType & EType.Hole) != 0;

    public bool IsWired => WiredCount != 0;

    /// <summary>uvm_mapent_copy into a fresh, unlinked entry.</summary>
    public VmEntry CopyFields() =>
        new()
        {
            Start = Start,
            End = End,
            FreeSpace = FreeSpace,
            EType = EType,
            Protection = Protection,
            MaxProtection = MaxProtection,
            Inheritance = Inheritance,
            Advice = Advice,
            WiredCount = WiredCount,
            Obj = Obj,
            Offset = Offset,
            Amap = Amap,
            PageOff = PageOff,
        };

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

/// <summary>
/// The ordered container of a map's entries, keyed by start address, with the free space after each
/// entry augmented so that first-fit placement needs no scan.
/// </summary>
public interface IEntryIndex
{
    string Name { get; }

    int Count { get; }

    /// <summary>Tree nodes (or list cells) looked at so far: the work counter of the benchmarks.</summary>
    long Visited { get; set; }

    /// <summary>Entries moved between nodes by splits, merges and redistribution.</summary>
    long Moved { get; }

    /// <summary>The depth of the structure now.</summary>
    int Depth { get; }

    void Clear();

    /// <summary>uvm_map_entrybyaddr: the entry whose [start, FREE_END) holds addr, or null before the first entry.</summary>
    VmEntry? ByAddr(ulong addr);

    VmEntry? First { get; }

    VmEntry? Last { get; }

    VmEntry? Next(VmEntry entry);

    VmEntry? Prev(VmEntry entry);

    void Insert(VmEntry entry);

    void Remove(VmEntry entry);

    /// <summary>The entry's free space changed: refresh the augmented values above it.</summary>
    void FreeSpaceChanged(VmEntry entry);

    /// <summary>The lowest entry whose free space holds <paramref name="size"/> bytes, or null.</summary>
    VmEntry? FirstFit(ulong size);

    /// <summary>The structure's own checks (colours, black height, occupancy, separators, augmented values).</summary>
    string? Check();
}
