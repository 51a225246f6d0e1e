namespace UvmDiff.Implementations.Map;

/// <summary>The map layer's faults: the clip mistakes of hazard 17, the quirks of hazard 19 "fixed", and tree bugs.</summary>
public static class MapFaults
{
    private const string Layer = "map";

    public static readonly Fault ClipKeepsObjectOffset = new(
        "ClipKeepsObjectOffset",
        Layer,
        "hazard 17 (bad offset after a clip)",
        "uvm_map_splitentry does not advance the upper half's object offset",
        MapProbes.Names[MapProbes.SplitWithObject],
        []
    );

    public static readonly Fault ClipKeepsPageOff = new(
        "ClipKeepsPageOff",
        Layer,
        "hazard 17 (bad pageoff after a clip)",
        "uvm_map_splitentry does not advance the upper half's ar_pageoff",
        MapProbes.Names[MapProbes.SplitWithAmap],
        []
    );

    public static readonly Fault ClipStartLeavesLowerHalf = new(
        "ClipStartLeavesLowerHalf",
        Layer,
        "hazard 17 (CLIP_START leaves the caller on the lower half)",
        "UVM_MAP_CLIP_START splits without swapping, so the caller edits the part below the address",
        MapProbes.Names[MapProbes.ClipStart],
        []
    );

    public static readonly Fault SplitDropsWiredCount = new(
        "SplitDropsWiredCount",
        Layer,
        "seed 001 (clipping); uvm_mapent_copy",
        "the half created by a split starts with wired_count 0",
        MapProbes.Names[MapProbes.SplitWired],
        []
    );

    public static readonly Fault SplitWithoutPpref = new(
        "SplitWithoutPpref",
        Layer,
        "hazard 17 (no ppref before the extra reference)",
        "amap_splitref takes the extra reference without establishing ppref: anon counts go wrong after unmapping half",
        MapProbes.Names[MapProbes.PartialAmapUnref],
        []
    );

    public static readonly Fault StaleFreeAugment = new(
        "StaleFreeAugment",
        Layer,
        "uvm_map_addr_augment not called",
        "the augmented free space is not refreshed when an entry's free space changes (clip, unmap, map)",
        MapProbes.Names[MapProbes.FreeSpaceChanged],
        []
    );

    public static readonly Fault ProtectClipsBeforeCheck = new(
        "ProtectClipsBeforeCheck",
        Layer,
        "uvm-semantics.md §4 (mprotect validates before it clips)",
        "mprotect clips each entry before its max-protection check, so EACCES leaves clipped entries",
        MapProbes.Names[MapProbes.ProtectDenied],
        []
    );

    public static readonly Fault MinheritEpermClipUndone = new(
        "MinheritEpermClipUndone",
        Layer,
        "hazard 19 (minherit's clip survives EPERM: mirror)",
        "minherit validates before its start clip, so EPERM leaves the entry whole",
        MapProbes.Names[MapProbes.InheritDenied],
        []
    );

    public static readonly Fault ChunkNotAligned = new(
        "ChunkNotAligned",
        Layer,
        "seed 001 (64k chunks); amap_copy",
        "the fault-time chunk starts at the faulting page instead of the 64 KiB boundary below it",
        MapProbes.Names[MapProbes.FaultChunked],
        []
    );

    public static readonly Fault StackChunked = new(
        "StackChunked",
        Layer,
        "uvm_fault.c (canchunk is FALSE for STACK entries)",
        "faults on large STACK entries are chunked like any other anonymous entry",
        MapProbes.Names[MapProbes.StackFaultUnchunked],
        []
    );

    public static readonly Fault MprotectNoneUnwires = new(
        "MprotectNoneUnwires",
        Layer,
        "hazard 19 (mprotect(NONE) does not unwire: mirror)",
        "mprotect to an effective PROT_NONE unwires the entry's pages as well as resetting wired_count",
        MapProbes.Names[MapProbes.ProtectDenied],
        []
    );

    public static readonly Fault MlockClipsWiredFirst = new(
        "MlockClipsWiredFirst",
        Layer,
        "hazard 19 and §9.1 (mlock re-faults an already-wired first entry whole: mirror)",
        "mlock clips the first entry at the start even when it is already wired",
        MapProbes.Names[MapProbes.ClipStart],
        []
    );

    public static readonly Fault BTreeSplitLosesBoundary = new(
        "BTreeSplitLosesBoundary",
        Layer,
        "seed 001 (B-tree proposal): node split",
        "splitting a full leaf drops the entry at the split point",
        MapProbes.Names[MapProbes.NodeSplit],
        []
    );

    public static readonly Fault BTreeMergeDropsKey = new(
        "BTreeMergeDropsKey",
        Layer,
        "seed 001 (B-tree proposal): node merge",
        "merging two underfull leaves leaves the right one's last entry behind",
        MapProbes.Names[MapProbes.NodeMerge],
        []
    );

    public static readonly IReadOnlyList<Fault> All =
    [
        ClipKeepsObjectOffset,
        ClipKeepsPageOff,
        ClipStartLeavesLowerHalf,
        SplitDropsWiredCount,
        SplitWithoutPpref,
        StaleFreeAugment,
        ProtectClipsBeforeCheck,
        MinheritEpermClipUndone,
        ChunkNotAligned,
        StackChunked,
        MprotectNoneUnwires,
        MlockClipsWiredFirst,
        BTreeSplitLosesBoundary,
        BTreeMergeDropsKey,
    ];
}
