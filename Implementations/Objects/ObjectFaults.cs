namespace UvmDiff.Implementations.Objects;

/// <summary>The object layer's faults: seed 000's rewrite and the hazards of uvm-semantics.md §8 it meets.</summary>
public static class ObjectFaults
{
    private const string Layer = "objects";

    public static readonly Fault NoPrefetch = new(
        "NoPrefetch",
        Layer,
        "seed 000 (RB_FOREACH_SAFE); hazard 4",
        "the next page is looked up after acting on the current one, which may have been freed",
        ObjectProbes.Names[ObjectProbes.FreedInsideRangeLoop],
        []
    );

    public static readonly Fault NoRestartAfterSleep = new(
        "NoRestartAfterSleep",
        Layer,
        "seed 000 (restart after a sleep point); hazard 4",
        "after sleeping on a busy page the loop goes on with the prefetched next page instead of restarting",
        ObjectProbes.Names[ObjectProbes.RestartAfterSleep],
        []
    );

    public static readonly Fault RestartOffsetReadAfterSleep = new(
        "RestartOffsetReadAfterSleep",
        Layer,
        "hazard 3",
        "the restart offset is read from the page after uvm_pagewait, when it may have been freed and reused",
        ObjectProbes.Names[ObjectProbes.SleptOnPageReused],
        []
    );

    public static readonly Fault NoRestartAfterPageout = new(
        "NoRestartAfterPageout",
        Layer,
        "seed 000 (uvn_flush: any pageout requires a restart); hazard 4",
        "uvn_flush goes on with the prefetched next page after a clustered pageout dropped the lock",
        ObjectProbes.Names[ObjectProbes.RestartAfterPageout],
        []
    );

    public static readonly Fault RangeEndInclusive = new(
        "RangeEndInclusive",
        Layer,
        "range iteration off by one",
        "uvm_pagerangefirst/next accept a page at offset == stop",
        ObjectProbes.Names[ObjectProbes.PageAtStop],
        []
    );

    public static readonly Fault KmPgremoveResidentOnlySwap = new(
        "KmPgremoveResidentOnlySwap",
        Layer,
        "seed 000 as posted; hazard 1",
        "uvm_km_pgremove drops the swap slots of resident pages only: slots of swapped-out pages leak",
        ObjectProbes.Names[ObjectProbes.KmPgremoveSwapOnlySlot],
        []
    );

    public static readonly Fault DropSwapRangeIgnoresBadSlots = new(
        "DropSwapRangeIgnoresBadSlots",
        Layer,
        "hazard 2",
        "uvm_km_pgremove hands the swap to uao_dropswap_range, which counts only slots > 0 against swpgonly",
        ObjectProbes.Names[ObjectProbes.KmPgremoveBadSlot],
        []
    );

    public static readonly Fault ObjUnwireSkipsHoles = new(
        "ObjUnwireSkipsHoles",
        Layer,
        "seed 000 as posted; hazard 5",
        "uvm_obj_unwire visits resident pages only, so a hole no longer trips KASSERT(pg != NULL)",
        ObjectProbes.Names[ObjectProbes.ObjUnwireHole],
        []
    );

    public static readonly Fault UvnFlushRestartClobbersStart = new(
        "UvnFlushRestartClobbersStart",
        Layer,
        "seed 000 as posted",
        "uvn_flush keeps its restart point in start, which it also passes to uvm_pager_put as the cluster window",
        ObjectProbes.Names[ObjectProbes.ClusteredPageout],
        []
    );

    public static readonly Fault FreeWithoutDequeue = new(
        "FreeWithoutDequeue",
        Layer,
        "seed 002; hazard 6",
        "uvn_flush frees a queued page while holding the page-queue lock, without dequeuing it first",
        ObjectProbes.Names[ObjectProbes.UvnFlushFreesQueuedPage],
        []
    );

    public static readonly Fault Seed000AsPosted = new(
        "Seed000AsPosted",
        Layer,
        "seed 000, the diff exactly as posted to tech@",
        "the three differences between the posted diff and the corrected implementation, together",
        ObjectProbes.Names[ObjectProbes.ClusteredPageout],
        [KmPgremoveResidentOnlySwap, ObjUnwireSkipsHoles, UvnFlushRestartClobbersStart]
    );

    public static readonly IReadOnlyList<Fault> All =
    [
        NoPrefetch,
        NoRestartAfterSleep,
        RestartOffsetReadAfterSleep,
        NoRestartAfterPageout,
        RangeEndInclusive,
        KmPgremoveResidentOnlySwap,
        DropSwapRangeIgnoresBadSlots,
        ObjUnwireSkipsHoles,
        UvnFlushRestartClobbersStart,
        FreeWithoutDequeue,
        Seed000AsPosted,
    ];
}

/// <summary>
/// The object layer's probes: branches of the code under test whose reach a campaign reports, one per
/// fault at least (a fault whose branch a campaign never reached cannot have been tested). Indices into
/// <see cref="Names"/> and into the implementation's probe counts.
/// </summary>
public static class ObjectProbes
{
    public const int FreedInsideRangeLoop = 0;
    public const int RestartAfterSleep = 1;
    public const int SleptOnPageReused = 2;
    public const int RestartAfterPageout = 3;
    public const int PageAtStop = 4;
    public const int KmPgremoveSwapOnlySlot = 5;
    public const int KmPgremoveBadSlot = 6;
    public const int ObjUnwireHole = 7;
    public const int ClusteredPageout = 8;
    public const int UvnFlushFreesQueuedPage = 9;

    public static readonly IReadOnlyList<string> Names =
    [
        "range loop freed the page it stood on",
        "range loop restarted after a sleep",
        "page slept on was freed or moved before the wake-up",
        "uvn_flush restarted after a clustered pageout",
        "range iteration met a page at stop",
        "uvm_km_pgremove dropped the slot of a swapped-out page",
        "uvm_km_pgremove dropped a SWSLOT_BAD slot",
        "uvm_obj_unwire met a hole",
        "uvn_flush paged a cluster out",
        "uvn_flush freed a queued page",
    ];
}
