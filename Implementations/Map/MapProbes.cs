namespace UvmDiff.Implementations.Map;

/// <summary>Branches of the map implementations that faults change, counted per side.</summary>
public static class MapProbes
{
    public const int ClipStart = 0;
    public const int ClipEnd = 1;
    public const int SplitWithAmap = 2;
    public const int SplitWithObject = 3;
    public const int SplitWired = 4;
    public const int PartialAmapUnref = 5;
    public const int FaultChunked = 6;
    public const int StackFaultUnchunked = 7;
    public const int ProtectDenied = 8;
    public const int InheritDenied = 9;
    public const int NodeSplit = 10;
    public const int NodeMerge = 11;
    public const int FreeSpaceChanged = 12;
    public const int ForkZeroWithAmap = 13;
    public const int AnonPromote = 14;
    public const int TeardownSharedAnon = 15;

    public static readonly IReadOnlyList<string> Names =
    [
        "map: CLIP_START",
        "map: CLIP_END",
        "map: split an entry with an amap",
        "map: split an entry with an object",
        "map: split a wired entry",
        "map: partial amap_unref",
        "map: fault clipped a 64 KiB chunk",
        "map: fault on a large STACK entry (no chunk)",
        "map: mprotect refused (EACCES/EPERM)",
        "map: minherit refused after its start clip",
        "map: tree node split",
        "map: tree node merged or redistributed",
        "map: free space of an entry changed",
        "map: fork of an INHERIT_ZERO entry with an amap",
        "map: write fault promotes an anon with other references",
        "map: teardown wipes out an amap holding anons other amaps share",
    ];
}
