namespace UvmDiff.Implementations;

/// <summary>Named bugs an implementation can be built with. Every one must be caught by the suite.</summary>
public enum Fault
{
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
}

/// <summary>A fault with where it comes from and what it does.</summary>
public sealed record FaultInfo(Fault Fault, string Provenance, string Description, IReadOnlyList<Fault> Implies);

/// <summary>The catalog: one entry per fault, with its provenance (seed or hazard in uvm-semantics.md §8).</summary>
public static class FaultCatalog
{
    public static readonly IReadOnlyList<FaultInfo> All =
    [
        new(
            Fault.NoPrefetch,
            "seed 000 (RB_FOREACH_SAFE); hazard 4",
            "the next page is looked up after acting on the current one, which may have been freed",
            []
        ),
        new(
            Fault.NoRestartAfterSleep,
            "seed 000 (restart after a sleep point); hazard 4",
            "after sleeping on a busy page the loop goes on with the prefetched next page instead of restarting",
            []
        ),
        new(
            Fault.RestartOffsetReadAfterSleep,
            "hazard 3",
            "the restart offset is read from the page after uvm_pagewait, when it may have been freed and reused",
            []
        ),
        new(
            Fault.NoRestartAfterPageout,
            "seed 000 (uvn_flush: any pageout requires a restart); hazard 4",
            "uvn_flush goes on with the prefetched next page after a clustered pageout dropped the lock",
            []
        ),
        new(
            Fault.RangeEndInclusive,
            "range iteration off by one",
            "uvm_pagerangefirst/next accept a page at offset == stop",
            []
        ),
        new(
            Fault.KmPgremoveResidentOnlySwap,
            "seed 000 as posted; hazard 1",
            "uvm_km_pgremove drops the swap slots of resident pages only: slots of swapped-out pages leak",
            []
        ),
        new(
            Fault.DropSwapRangeIgnoresBadSlots,
            "hazard 2",
            "uvm_km_pgremove hands the swap to uao_dropswap_range, which counts only slots > 0 against swpgonly",
            []
        ),
        new(
            Fault.ObjUnwireSkipsHoles,
            "seed 000 as posted; hazard 5",
            "uvm_obj_unwire visits resident pages only, so a hole no longer trips KASSERT(pg != NULL)",
            []
        ),
        new(
            Fault.UvnFlushRestartClobbersStart,
            "seed 000 as posted",
            "uvn_flush keeps its restart point in start, which it also passes to uvm_pager_put as the cluster window",
            []
        ),
        new(
            Fault.FreeWithoutDequeue,
            "seed 002; hazard 6",
            "uvn_flush frees a queued page while holding the page-queue lock, without dequeuing it first",
            []
        ),
        new(
            Fault.Seed000AsPosted,
            "seed 000, the diff exactly as posted to tech@",
            "the three differences between the posted diff and the corrected implementation, together",
            [Fault.KmPgremoveResidentOnlySwap, Fault.ObjUnwireSkipsHoles, Fault.UvnFlushRestartClobbersStart]
        ),
    ];

    public static FaultInfo Get(Fault fault) => All[(int)fault];

    /// <summary>Case-insensitive lookup by name; null when there is no such fault.</summary>
    public static FaultInfo? Find(string name)
    {
        foreach (var info in All)
        {
            if (string.Equals(info.Fault.ToString(), name, StringComparison.OrdinalIgnoreCase))
                return info;
        }
        return null;
    }
}

/// <summary>The faults an implementation is built with; composite faults switch on what they imply.</summary>
public readonly record struct FaultSet(uint Bits)
{
    public static readonly FaultSet None = new(0);

    public static FaultSet Of(Fault fault)
    {
        uint bits = 1u << (int)fault;
        foreach (var implied in FaultCatalog.Get(fault).Implies)
            bits |= Of(implied).Bits;
        return new FaultSet(bits);
    }

    public bool Has(Fault fault) => (Bits & (1u << (int)fault)) != 0;

    public override string ToString()
    {
        if (Bits == 0)
            return "none";
        var names = new List<string>();
        foreach (var info in FaultCatalog.All)
        {
            if (Has(info.Fault))
                names.Add(info.Fault.ToString());
        }
        return string.Join("+", names);
    }
}
