namespace UvmDiff.Spec.Map;

/// <summary>vm_prot_t: PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4.</summary>
[Flags]
public enum Prot : byte
{
    None = 0,
    R = 1,
    W = 2,
    X = 4,
    RW = R | W,
    RX = R | X,
    RWX = R | W | X,
}

/// <summary>vm_inherit_t: MAP_INHERIT_SHARE 0, COPY 1, NONE 2, ZERO 3.</summary>
public enum Inherit : byte
{
    Share = 0,
    Copy = 1,
    None = 2,
    Zero = 3,
}

/// <summary>MADV_NORMAL 0, RANDOM 1, SEQUENTIAL 2 (the only advice uvm_map_advice takes), WILLNEED 3.</summary>
public enum Advice : byte
{
    Normal = 0,
    Random = 1,
    Sequential = 2,
    WillNeed = 3,
}

/// <summary>uvm.h UVM_ET_* bits that the map layer models.</summary>
[Flags]
public enum EType : ushort
{
    None = 0,
    Obj = 0x1,
    CopyOnWrite = 0x4,
    NeedsCopy = 0x8,
    Hole = 0x10,
    Stack = 0x40,
    Immutable = 0x400,
}

/// <summary>What an mmap creates, as uvm_map/uvm_mapanon set it up.</summary>
public enum MapKind : byte
{
    /// <summary>MAP_PRIVATE|MAP_ANON: COPYONWRITE|NEEDSCOPY, no amap, INHERIT_COPY.</summary>
    Private,

    /// <summary>MAP_SHARED|MAP_ANON: an amap at mmap time (UVM_FLAG_OVERLAY), INHERIT_SHARE.</summary>
    Shared,

    /// <summary>MAP_STACK: a private anonymous entry with UVM_ET_STACK (never chunked).</summary>
    Stack,

    /// <summary>MAP_PRIVATE file: OBJ|COPYONWRITE|NEEDSCOPY.</summary>
    FilePrivate,

    /// <summary>MAP_SHARED file: OBJ, writes go to the object's pages.</summary>
    FileShared,

    /// <summary>UVM_FLAG_HOLE: reserved, never faults, not counted in the map size.</summary>
    Hole,
}

/// <summary>The map layer's constants (uvm_amap.h, uvm_map.h, the amd64 user address space).</summary>
public static class MapConst
{
    public const ulong PageSize = 4096;
    public const int PageShift = 12;

    /// <summary>UVM_AMAP_LARGE: an entry of at least this many pages is chunked at fault time.</summary>
    public const int AmapLarge = 256;

    /// <summary>UVM_AMAP_CHUNK: slots per chunk; the chunk clipped out at fault time is this many pages (64 KiB).</summary>
    public const int AmapChunk = 16;

    public const ulong ChunkBytes = (ulong)AmapChunk << PageShift;

    /// <summary>VMMAP_MIN_ADDR: page 0 is never mapped.</summary>
    public const ulong MinAddress = 0x1000;

    /// <summary>The top of the modelled address space, high enough for [vsyscall] in /proc/PID/maps captures.</summary>
    public const ulong MaxAddress = 0xffff_ffff_ffff_f000;

    /// <summary>The file objects a mapping may name: 1, 2 and 3.</summary>
    public const int Objects = 3;

    public static bool IsPageAligned(ulong a) => (a & (PageSize - 1)) == 0;

    public static string Format(Prot p) =>
        string.Create(
            3,
            p,
            (span, prot) =>
            {
                span[0] = (prot & Prot.R) != 0 ? 'r' : '-';
                span[1] = (prot & Prot.W) != 0 ? 'w' : '-';
                span[2] = (prot & Prot.X) != 0 ? 'x' : '-';
            }
        );

    public static string Format(EType e)
    {
        if (e == EType.None)
            return "-";
        var parts = new List<string>(6);
        if ((e & EType.Obj) != 0)
            parts.Add("obj");
        if ((e & EType.CopyOnWrite) != 0)
            parts.Add("cow");
        if ((e & EType.NeedsCopy) != 0)
            parts.Add("nc");
        if ((e & EType.Hole) != 0)
            parts.Add("hole");
        if ((e & EType.Stack) != 0)
            parts.Add("stack");
        if ((e & EType.Immutable) != 0)
            parts.Add("imm");
        return string.Join(",", parts);
    }
}
