using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The whole kernel's world: one process per pmap of <see cref="PmapWorld"/> (three), each with a vmspace
/// (a map and that pmap), the two CPUs of the pmap world, and its six managed physical pages, which back
/// anonymous memory. Every process starts alive with an empty map; no CPU runs a process.
/// </summary>
public static class KernelWorld
{
    public const int Processes = PmapWorld.Pmaps;
    public const int Cpus = PmapWorld.Cpus;
    public const int Pages = PmapWorld.Pages;

    /// <summary>
    /// The error a fault returns when it needs a page and none is free: uvm_fault's anon allocation fails,
    /// and uvm_wait sleeps for the pagedaemon, which this slice does not have, so the thread never wakes.
    /// </summary>
    public const string OutOfPages = "uvm_wait";

    /// <summary>VM_MIN_ADDRESS: PAGE_SIZE on amd64 and arm64 (vmparam.h).</summary>
    public const ulong MinUserAddress = 0x1000;

    /// <summary>
    /// VM_MAXUSER_ADDRESS (vmparam.h), the end of a process's map: amd64 0x00007f7fffffc000, arm64
    /// (1 &lt;&lt; USER_SPACE_BITS(39)) - 0x8000.
    /// </summary>
    public static ulong MaxUserAddress(Arch arch) => arch == Arch.Amd64 ? 0x0000_7f7f_ffff_c000 : (1UL << 39) - 0x8000;
}

/// <summary>What a kernel shows besides its maps and pmaps.</summary>
public partial interface IKernelFactSink
{
    void Process(int pid, bool alive);

    /// <summary>
    /// Physical page <paramref name="page"/> backs anon <paramref name="anon"/>, whichever processes' amaps hold it.
    /// => called in increasing page order, so that the observation's text is canonical
    /// </summary>
    void PageOwner(int page, int anon);

    /// <summary>Deterministic work counters: faults run, pages allocated, pages freed.</summary>
    void Counters(long faults, long allocated, long freed);
}

/// <summary>
/// A kernel at the level a process sees it: system calls on a process's vmspace, user accesses from a
/// CPU, context switches, exit and a new process in a dead slot. The reference
/// (<see cref="ReferenceKernel"/>) composes the reference map and pmap; implementation kernels compose
/// the implementations. Errors are errno names, null is success; a kernel panic is a <see cref="KernelPanic"/>.
/// </summary>
public partial interface IKernelMachine
{
    Arch Arch { get; }

    void Reset();

    string? Mmap(int pid, ulong addr, ulong size, Map.Prot prot, MapKind kind);

    string? MmapAnywhere(int pid, ulong size, Map.Prot prot, MapKind kind, out ulong addr);

    string? Munmap(int pid, ulong addr, ulong size);

    string? Mprotect(int pid, ulong addr, ulong size, Map.Prot prot);

    string? Mlock(int pid, ulong addr, ulong size);

    string? Munlock(int pid, ulong addr, ulong size);

    /// <summary>A user load (or store) by the thread on <paramref name="cpu"/>: => the page reached in <paramref name="page"/></summary>
    string? Access(int cpu, ulong va, Map.Prot access, out int page);

    /// <summary>cpu_switchto: <paramref name="pid"/> runs on <paramref name="cpu"/>; -1 switches to a kernel thread.</summary>
    string? Switch(int cpu, int pid);

    /// <summary>
    /// The process exits; <paramref name="interleaved"/> is another CPU's PV walk (the page daemon) that the
    /// pmap's teardown meets partway, as the pmap layer's exit takes it.
    /// </summary>
    string? Exit(int pid, PvWalk? interleaved);

    /// <summary>A new process takes the dead slot <paramref name="pid"/> (uvmspace_alloc, pmap_create).</summary>
    string? Spawn(int pid);

    /// <summary>fork: <paramref name="parent"/>'s child takes the dead slot <paramref name="child"/> (uvmspace_fork, pmap_create).</summary>
    string? Fork(int parent, int child);

    /// <summary>minherit(addr, size, inheritance).</summary>
    string? Minherit(int pid, ulong addr, ulong size, Inherit inheritance);

    /// <summary>The fingerprint of a process's map without its amaps and anons (entries, objects, size).</summary>
    ulong MapFingerprint(int pid);

    /// <summary>The fingerprint of every amap and anon some process's map reaches, each counted once.</summary>
    ulong AnonFingerprint();

    void WalkMap(int pid, IMapObserver observer);

    /// <summary>
    /// The process's map's <see cref="IVmMapMachine.Changes"/>: while it stays, so do the map's own facts and
    /// its check's verdict (the kernel's fast paths rely on it; a law pins it).
    /// </summary>
    long MapChanges(int pid);

    void WalkPmap(IPmapFactSink sink);

    /// <summary>
    /// The pmap's <see cref="IPmapMachine.Changes"/> less its <see cref="IPmapMachine.CpuChanges"/>: while it
    /// stays, so do the facts <see cref="WalkPmap"/> reports but the CPUs' (a law pins it).
    /// </summary>
    long PmapChanges { get; }

    /// <summary>The pmap running on <paramref name="cpu"/> (<see cref="IPmapMachine.CurrentOn"/>): the CPU's fact <see cref="WalkPmap"/> reports.</summary>
    int RunningOn(int cpu);

    void WalkKernel(IKernelFactSink sink);

    /// <summary>
    /// Moves with every change to the facts <see cref="WalkKernel"/> reports to a sink that wants no files
    /// (the processes' lives, page owners, counters, kernel_map's allocations, the swap counts, anon swap
    /// slots): while it stays, so do they (a law pins it). Asking it may move it, never the facts.
    /// </summary>
    long CoreChanges { get; }

    /// <summary>
    /// Each layer's invariants, and with <paramref name="full"/> the cross-layer ones too, which walk every
    /// map and the whole pmap (the runner asks for them every 16 steps and at the end of every replay and
    /// shrink run, as the pmap layer's table walks): null or the first violation.
    /// </summary>
    string? Check(bool full);
}
