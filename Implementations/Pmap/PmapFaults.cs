namespace UvmDiff.Implementations.Pmap;

/// <summary>The pmap layer's probes: branches its faults change, counted by the machines.</summary>
public static class PmapProbes
{
    public static readonly string[] Names =
    [
        "arm64 vp_destroy frees a managed pted",
        "arm64 pmap_remove/protect with !pm_active",
        "exit unwires a page of a wired entry",
        "amd64 PTP freed",
        "amd64 PTP allocated",
        "amd64 remove syncs U/M",
        "amd64 do_remove block",
        "amd64 remote shootdown",
        "arm64 ASID rollover",
        "arm64 pmap_page_ro flush",
        "amd64 enter replaces another page",
        "amd64-sparse summary cleared by page_remove",
        "arm64 vp_destroy NULLs a slot",
        "arm64 unwire of a pted without WIRED",
    ];

    public const int VpDestroyPted = 0;
    public const int ShortCircuit = 1;
    public const int ExitUnwire = 2;
    public const int PtpFreed = 3;
    public const int PtpAllocated = 4;
    public const int RemoveSync = 5;
    public const int DoRemoveBlock = 6;
    public const int RemoteShootdown = 7;
    public const int AsidRollover = 8;
    public const int PageRoFlush = 9;
    public const int EnterReplace = 10;
    public const int SparsePageRemove = 11;
    public const int VpDestroySlot = 12;
    public const int UnwireUnwiredPted = 13;
}

/// <summary>
/// The pmap layer's faults: seed 004's diff in parts, and the hazards of uvm-semantics.md §8/§9 that
/// concern the simulated amd64 and arm64 pmaps.
/// </summary>
public static class PmapFaults
{
    private const string Layer = "pmap";

    public static readonly Fault VpDestroyWithoutRemovePv = new(
        "Arm64VpDestroyWithoutRemovePv",
        Layer,
        "seed 004: pmap_vp_destroy_l2_l3 as in 1.113, run at deactivate",
        "arm64-seed004's pmap_vp_destroy_l2_l3 frees managed pteds without pmap_remove_pv: PV lists keep pteds of a dead pmap",
        PmapProbes.Names[PmapProbes.VpDestroyPted],
        []
    );

    public static readonly Fault ShortCircuitWhileLive = new(
        "Arm64ShortCircuitWhileLive",
        Layer,
        "seed 004 diff grafted onto 1.113; hazard 12",
        "arm64-1.113's pmap_remove and pmap_protect return at once when !pm_active; pmap_purge has just set it to 0, so the teardown removes nothing",
        PmapProbes.Names[PmapProbes.ShortCircuit],
        []
    );

    public static readonly Fault TablesBeforeUnwire = new(
        "TablesDestroyedBeforeUnwire",
        Layer,
        "seed 004 (vp_destroy in pmap_deactivate, vmspace teardown left to the reaper); hazard 13",
        "arm64-seed004 destroys the tables before uvm_map_teardown unwires: pmap_extract fails and mlocked pages stay wired",
        PmapProbes.Names[PmapProbes.ExitUnwire],
        []
    );

    public static readonly Fault PtpFreedBeforeShootdown = new(
        "Amd64PtpFreedBeforeShootdown",
        Layer,
        "hazard 9 (9.2: PTPs only)",
        "amd64 pmap_do_remove frees page-table pages before the shootdown wait: another CPU's TLB still caches the freed table",
        PmapProbes.Names[PmapProbes.PtpFreed],
        []
    );

    public static readonly Fault PtpWireOffByOne = new(
        "Amd64PtpWireCountOffByOne",
        Layer,
        "hazard 11",
        "amd64 pmap_get_ptp starts a new PTP's wire count at 0, not 1: a PTP with one live PTE looks empty and is freed",
        PmapProbes.Names[PmapProbes.PtpAllocated],
        []
    );

    public static readonly Fault RefModNotSynced = new(
        "Amd64RefModNotSyncedOnRemove",
        Layer,
        "hazard 8",
        "amd64 pmap_remove_ptes zaps a PTE without copying its U/M bits into the page: a dirty page reads as clean",
        PmapProbes.Names[PmapProbes.RemoveSync],
        []
    );

    public static readonly Fault BlockRounding = new(
        "Amd64EmptySkipWrongRounding",
        Layer,
        "hazard 10",
        "amd64 pmap_do_remove rounds the block end up from va instead of va + 1: at a 2 MiB boundary the block is empty and the loop never advances",
        PmapProbes.Names[PmapProbes.DoRemoveBlock],
        []
    );

    public static readonly Fault ShootdownSkipsRemote = new(
        "Amd64ShootdownSkipsRemoteCpu",
        Layer,
        "hazards 9, 15",
        "amd64 shootdowns invalidate only CPU 0 (shootself), not the other CPUs whose ci_proc_pmap is the pmap",
        PmapProbes.Names[PmapProbes.RemoteShootdown],
        []
    );

    public static readonly Fault RolloverWithoutFlush = new(
        "Arm64AsidRolloverWithoutFlush",
        Layer,
        "seed 004 (ASID-wide flushes); 9.3",
        "arm64 pmap_rollover_asid starts a new generation without cpu_tlb_flush: a reused ASID hits another pmap's TLB entries",
        PmapProbes.Names[PmapProbes.AsidRollover],
        []
    );

    public static readonly Fault ProtectWithoutFlush = new(
        "Arm64ProtectReadWithoutFlush",
        Layer,
        "hazard 15",
        "arm64 pmap_page_ro rewrites the PTE without ttlb_flush: a cached writable translation survives pmap_protect to READ",
        PmapProbes.Names[PmapProbes.PageRoFlush],
        []
    );

    public static readonly Fault ReplaceKeepsOldPv = new(
        "Amd64EnterReplaceKeepsOldPv",
        Layer,
        "uvm-semantics.md 6 (pmap_enter: a different PA unlinks the old PV entry)",
        "amd64 pmap_enter replacing a mapping of another page keeps the old page's PV entry",
        PmapProbes.Names[PmapProbes.EnterReplace],
        []
    );

    public static readonly Fault SparseSummaryStale = new(
        "Amd64SparseSummaryStaleOnPageRemove",
        Layer,
        "issue 8: the sparse teardown's summary upkeep",
        "amd64-sparse's pmap_page_remove zaps a PTE without clearing its bit in the live-entry summary",
        PmapProbes.Names[PmapProbes.SparsePageRemove],
        []
    );

    public static readonly Fault VpDestroyUnlocked = new(
        "Arm64VpDestroyUnlocked",
        Layer,
        "seed 004 as posted; 9.3's cause of the reported panic",
        "arm64-seed004's pmap_vp_destroy runs without the pmap lock and NULLs each vp slot before pmap_remove_pv: a PV walk on another CPU reaches a pted whose tables are gone",
        PmapProbes.Names[PmapProbes.VpDestroySlot],
        []
    );

    public static readonly Fault UnwireOnlyWiredPteds = new(
        "Arm64UnwireOnlyWiredPteds",
        Layer,
        "issue 9: the model's own bug, found composing the kernel (uvm_fault_unwire_locked unwires every page extracted)",
        "arm64's unwire of one page refuses a pted without WIRED and skips uvm_pageunwire: after mlock of a mapped page (pmap_enter returned early) the page stays wired",
        PmapProbes.Names[PmapProbes.UnwireUnwiredPted],
        []
    );

    public static readonly Fault Seed004AsPosted = new(
        "Seed004AsPosted",
        Layer,
        "seed 004: the diff as posted, on 1.113 and on its own 1.111 order",
        "the diff's parts together: vp_destroy unlocked with remove_pv after the slot is NULLed, tables destroyed before the vmspace is unwired, and the !pm_active short-circuits grafted onto 1.113",
        PmapProbes.Names[PmapProbes.VpDestroySlot],
        [VpDestroyUnlocked, TablesBeforeUnwire, ShortCircuitWhileLive]
    );

    public static readonly IReadOnlyList<Fault> All =
    [
        VpDestroyWithoutRemovePv,
        ShortCircuitWhileLive,
        TablesBeforeUnwire,
        PtpFreedBeforeShootdown,
        PtpWireOffByOne,
        RefModNotSynced,
        BlockRounding,
        ShootdownSkipsRemote,
        RolloverWithoutFlush,
        ProtectWithoutFlush,
        ReplaceKeepsOldPv,
        SparseSummaryStale,
        VpDestroyUnlocked,
        UnwireOnlyWiredPteds,
        Seed004AsPosted,
    ];

    /// <summary>The faults that change only the amd64 machines: a run without amd64 cannot show them.</summary>
    public static readonly IReadOnlyList<Fault> Amd64Only =
    [
        PtpFreedBeforeShootdown,
        PtpWireOffByOne,
        RefModNotSynced,
        BlockRounding,
        ShootdownSkipsRemote,
        ReplaceKeepsOldPv,
        SparseSummaryStale,
    ];

    /// <summary>The faults that change only the arm64 machines (every part of seed 004's diff).</summary>
    public static readonly IReadOnlyList<Fault> Arm64Only =
    [
        VpDestroyWithoutRemovePv,
        ShortCircuitWhileLive,
        TablesBeforeUnwire,
        RolloverWithoutFlush,
        ProtectWithoutFlush,
        VpDestroyUnlocked,
        UnwireOnlyWiredPteds,
        Seed004AsPosted,
    ];
}
