namespace UvmDiff.Implementations.Kernel;

/// <summary>Branches of the composed kernels that the composition's faults change.</summary>
public static class KernelProbes
{
    public const int UnmapUnwire = 0;
    public const int ProtectRange = 1;
    public const int ForkProtect = 2;
    public const int AmapSharedByEntries = 3;
    public const int ObjectUnderAmap = 4;
    public const int AnfreeDropsSwap = 5;
    public const int AnonPageout = 6;
    public const int AnonPagein = 7;

    public static readonly string[] Names =
    [
        "kernel: uvm_unmap_remove unwires a page of a wired entry",
        "kernel: uvm_map_protect runs pmap_protect on a changed entry",
        "kernel: fork write-protects a COPY entry of the parent",
        "kernel: seed 003's reverse lookup meets an amap a previous entry of the map already referenced",
        "kernel: seed 003's reverse lookup descends from an entry's amap to the file under it",
        "kernel: uvm_anfree drops the swap slot of an anon",
        "kernel: the page daemon pages an anon page out",
        "kernel: uvmfault_anonget reads an anon in from swap",
    ];
}

/// <summary>
/// Faults of the composition: the kernel's own steps between the map and the pmap, as opposed to the
/// faults inside a layer.
/// </summary>
public static class KernelFaults
{
    private const string Layer = "kernel";

    public static readonly Fault UnmapSkipsUnwire = new(
        "UnmapSkipsUnwire",
        Layer,
        "uvm_map.c uvm_unmap_kill_entry (uvm_fault_unwire_locked before pmap_remove)",
        "munmap of a wired entry removes its translations without unwiring its pages first",
        KernelProbes.Names[KernelProbes.UnmapUnwire],
        []
    );

    public static readonly Fault ProtectSkipsPmap = new(
        "ProtectSkipsPmap",
        Layer,
        "uvm_map.c uvm_map_protect (pmap_protect of each changed entry)",
        "mprotect changes the entries but not the pmap, so a reduced protection stays in the translations",
        KernelProbes.Names[KernelProbes.ProtectRange],
        []
    );

    public static readonly Fault ForkZeroKeepsAmap = new(
        "ForkZeroKeepsAmap",
        Layer,
        "uvm_map.c uvm_mapent_forkzero (amap_unref and no amap for the child)",
        "fork of an INHERIT_ZERO entry keeps the parent's amap reference: the child sees the parent's anons instead of zeros",
        Map.MapProbes.Names[Map.MapProbes.ForkZeroWithAmap],
        []
    );

    public static readonly Fault CowFaultWritesThrough = new(
        "CowFaultWritesThrough",
        Layer,
        "uvm_fault.c uvm_fault_upper (a write to an anon with an_ref > 1 promotes it to a new anon)",
        "the copy-on-write fault on an amap shared since fork writes through to the original anon instead of promoting a copy, so the other process sees the write",
        Map.MapProbes.Names[Map.MapProbes.AnonPromote],
        []
    );

    public static readonly Fault ExitLeavesAnonRef = new(
        "ExitLeavesAnonRef",
        Layer,
        "uvm_amap.c amap_wipeout (an_ref-- of every anon) from exit's uvm_unmap_detach",
        "exit's amap_wipeout skips the anons other amaps share: each keeps the dead process's reference, so once the others drop it, it and its page are never freed",
        Map.MapProbes.Names[Map.MapProbes.TeardownSharedAnon],
        []
    );

    public static readonly Fault ForkSkipsParentProtect = new(
        "ForkSkipsParentProtect",
        Layer,
        "uvm_map.c uvm_mapent_forkcopy (pmap_protect of the parent's amap entry before it becomes NEEDSCOPY)",
        "fork leaves the parent's COPY entries writable in its pmap, so the parent writes the anons it now shares with the child",
        KernelProbes.Names[KernelProbes.ForkProtect],
        []
    );

    public static readonly Fault BackingFirstEntryOnly = new(
        "Seed003MissesSecondEntry",
        Layer,
        "seed 003 (vm_map_backing); uvm_map.c uvm_map_splitentry / amap_splitref (clipped entries share one amap)",
        "seed 003's reverse lookup follows each amap from the first entry that references it only, as if an "
            + "amap had one backing entry: a mapping reached through a second aref onto the same amap (an entry "
            + "clipped in two; after fork, a shared entry's copy) is missed, so pmap_page_protect leaves its PTE",
        KernelProbes.Names[KernelProbes.AmapSharedByEntries],
        []
    );

    public static readonly Fault BackingSkipsObjectUnderAmap = new(
        "Seed003MissesSecondLevel",
        Layer,
        "seed 003 (vm_map_backing chains: an entry's backing is its anon layer, then the object below it)",
        "seed 003's reverse lookup stops at the first backing level: an entry with an amap is searched for "
            + "anons only, so a file page mapped through a private file mapping that has an amap (a page of "
            + "it was written) is missed, and pmap_page_protect leaves its PTE",
        KernelProbes.Names[KernelProbes.ObjectUnderAmap],
        []
    );

    public static readonly Fault AnfreeKeepsSwapSlot = new(
        "AnfreeKeepsSwapSlot",
        Layer,
        "uvm_anon.c uvm_anfree (uvm_anon_dropswap, and swpgonly-- for an anon whose page is in swap)",
        "uvm_anfree frees the anon's page but not its swap slot: munmap, exit and the copy-on-write that drops "
            + "the last reference leak the slot, and swpginuse never comes back down",
        KernelProbes.Names[KernelProbes.AnfreeDropsSwap],
        []
    );

    public static readonly IReadOnlyList<Fault> All =
    [
        UnmapSkipsUnwire,
        ProtectSkipsPmap,
        ForkZeroKeepsAmap,
        CowFaultWritesThrough,
        ExitLeavesAnonRef,
        ForkSkipsParentProtect,
        BackingFirstEntryOnly,
        BackingSkipsObjectUnderAmap,
        AnfreeKeepsSwapSlot,
    ];
}
