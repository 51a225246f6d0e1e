namespace UvmDiff.Spec.Pmap;

/// <summary>
/// What a pmap machine shows: every fact of the observation, each reported once. Implemented by the
/// harness's text and hash observers; reference and implementations each walk their own state into it.
/// </summary>
public interface IPmapFactSink
{
    void Cpu(int cpu, int pmap);

    void Pmap(int pmap, bool alive, int mapped, int wired);

    void Mapping(int pmap, ulong va, int page, Prot grants, bool wired);

    void Page(int page, bool referenced, bool modified, int wireCount);

    void Pv(int page, int pmap, ulong va);
}

/// <summary>What another CPU's PV-walking op does at one point inside a teardown.</summary>
public enum PvWalkKind : byte
{
    ClearReference,
    ClearModify,
    ProtectRead,
    ProtectNone,
}

/// <summary>
/// Another CPU runs a PV-walking op (the pagedaemon's <c>pmap_clear_reference</c>,
/// <c>pmap_page_protect</c>) on <paramref name="Page"/> when the teardown has visited
/// <paramref name="Point"/> mappings; at the end of the teardown if it visits fewer.
/// </summary>
public sealed record PvWalk(int Point, PvWalkKind Kind, int Page);

/// <summary>
/// One map entry as <c>uvm_map_teardown</c> hands it to the pmap at exit: [Start, End), and whether the
/// entry is wired (<c>VM_MAPENT_ISWIRED</c>: <c>uvm_unmap_kill_entry</c> runs <c>uvm_fault_unwire_locked</c>
/// over it before <c>pmap_remove</c>).
/// </summary>
public readonly record struct MapSpan(ulong Start, ulong End, bool Wired);

/// <summary>Per-teardown work, for the benchmark's counters.</summary>
public struct TeardownCounters
{
    /// <summary>Table lookups: pmap_vp_lookup calls, or pmap_pdes_valid probes of 2 MiB blocks.</summary>
    public long Lookups;

    /// <summary>Directory entries read by the lookups (table entries read, excluding PTEs).</summary>
    public long TableEntriesRead;

    /// <summary>Leaf entries (PTEs or pte_desc slots) examined.</summary>
    public long PtesVisited;

    public long TablePagesFreed;

    /// <summary>TLB invalidations issued: one per page flushed, one per full or ASID-wide flush.</summary>
    public long Flushes;
}

/// <summary>
/// The MI pmap contract (uvm_pmap.h 1.37) as the harness drives it, plus the simulated hardware
/// (CPUs, their TLBs and memory accesses) and process exit. An interface only: the reference and each
/// implementation hold their own code and state behind it. Kernel panics are thrown as KernelPanic.
/// Pmaps are named 0..<see cref="PmapWorld.Pmaps"/>-1, pages 0..<see cref="PmapWorld.Pages"/>-1;
/// <see cref="NoPmap"/> means none.
/// </summary>
public interface IPmapMachine
{
    public const int NoPmap = -1;
    public const int Fault = -1;
    public const int NoProcess = -2;
    public const int Enomem = 12;

    Arch Arch { get; }

    /// <summary>Every pmap alive and empty, every CPU running no process, every page clean.</summary>
    void Reset();

    bool IsAlive(int pmap);

    int CurrentOn(int cpu);

    /// <summary>pmap_enter(pm, va, pa, prot, access | PMAP_CANFAIL | wired); a non-empty access is also
    /// performed once on the new mapping, as the retried instruction does. <paramref name="failAlloc"/>
    /// makes the allocation that can fail fail. => 0 or <see cref="Enomem"/></summary>
    int Enter(int pmap, ulong va, int page, Prot prot, Prot access, bool wired, bool failAlloc);

    void Remove(int pmap, ulong sva, ulong eva);

    void Protect(int pmap, ulong sva, ulong eva, Prot prot);

    /// <summary>pmap_page_protect: <paramref name="prot"/> is NONE or READ.</summary>
    void PageProtect(int page, Prot prot);

    /// <summary>uvm_fault_unwire of one page: pmap_extract, then pmap_unwire (the PTE's wired bit and the
    /// pmap's wired count, where the bit is set) and uvm_pageunwire of the page found, whether or not its
    /// PTE is wired: the page's wire count is uvm's, not the pmap's.
    /// => false, nothing changed, when the page found is not wired (a caller that unwires what it never wired)</summary>
    bool Unwire(int pmap, ulong va);

    /// <summary>=> the page mapped at <paramref name="va"/>, or -1</summary>
    int Extract(int pmap, ulong va);

    bool IsReferenced(int page);

    bool IsModified(int page);

    /// <summary>The page's wire_count as the pmap keeps it (the Page fact's): what uvm_pagewire left on it.</summary>
    int WireCount(int page);

    void ClearReference(int page);

    void ClearModify(int page);

    /// <summary>
    /// uvm_pagealloc hands out <paramref name="page"/>, which no pmap maps: its pg_flags are set afresh,
    /// so the pmap's REF/MOD attributes (PG_PMAP_REF/PG_PMAP_MOD) of its previous life are gone.
    /// </summary>
    void PageAllocated(int page);

    /// <summary>A thread of <paramref name="pmap"/> becomes the one running on <paramref name="cpu"/>.</summary>
    void Activate(int cpu, int pmap);

    /// <summary>The thread running on <paramref name="cpu"/> switches to a kernel thread.</summary>
    void Deactivate(int cpu);

    /// <summary>A user access by the thread on <paramref name="cpu"/>.
    /// => the page reached, <see cref="Fault"/>, or <see cref="NoProcess"/></summary>
    int Access(int cpu, ulong va, Prot access);

    /// <summary>The process exits: its threads leave their CPUs, its map entries
    /// (<paramref name="entries"/>) are torn down (every page mapped in a wired entry unwired as
    /// <see cref="Unwire"/> does, then every entry removed) and the pmap is destroyed, with
    /// <paramref name="interleaved"/> run by another CPU inside the teardown.</summary>
    void Exit(int pmap, ReadOnlySpan<MapSpan> entries, PvWalk? interleaved);

    /// <summary>A new process takes the dead slot <paramref name="pmap"/>: pmap_create.</summary>
    void Exec(int pmap);

    /// <summary>Work done by the last <see cref="Exit"/>.</summary>
    TeardownCounters LastTeardown { get; }

    void Walk(IPmapFactSink sink);

    /// <summary>
    /// A count that moves with every call that may change what <see cref="Walk"/> reports (an access
    /// that only hits the TLB, or finds its bits already set, a remove that found nothing mapped in its
    /// range, and a page allocation that found REF and MOD clear, need not count): while it stays, the facts stay, and the kernel keeps their sum (a law
    /// pins it).
    /// </summary>
    long Changes { get; }

    /// <summary>
    /// The calls among <see cref="Changes"/> that change only which pmap a CPU runs (pmap_activate and
    /// pmap_deactivate, each counted once in both): while <see cref="Changes"/> less this stays, every fact
    /// <see cref="Walk"/> reports but the CPUs' (which <see cref="CurrentOn"/> answers) stays.
    /// </summary>
    long CpuChanges { get; }

    /// <summary>The machine's own invariants (encodings, counters, teardown): null or the first violation.
    /// <paramref name="full"/> adds the checks that walk every table.</summary>
    string? CheckInvariants(bool full);
}
