using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pages;
using MapProt = UvmDiff.Spec.Map.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The files of the whole kernel: the map layer's three file objects (<see cref="MapConst.Objects"/>), each
/// a vnode object of <see cref="Pages"/> pages whose resident pages are physical pages of the kernel,
/// taken from the same six as the anons.
/// </summary>
public static class KernelFiles
{
    public const int Count = MapConst.Objects;

    /// <summary>The size of every file, in pages (u_size is a whole number of pages).</summary>
    public const int Pages = 8;

    public const ulong Bytes = (ulong)Pages << MapConst.PageShift;
}

/// <summary>
/// Deterministic work of the files' uvn_flush calls, never part of an observation (it differs between
/// the per-offset reference and the range iterator by design): seed 000's figure.
/// </summary>
public interface IFlushWork
{
    /// <summary>uvn_flush calls so far.</summary>
    long Flushes { get; }

    /// <summary>Page-index work inside them: hash probes on the reference, tree nodes visited on the RB tree.</summary>
    long FlushNodes { get; }
}

/// <summary>msync's flags: MS_ASYNC, MS_SYNC, or MS_INVALIDATE (which sys_msync makes MS_SYNC too).</summary>
public enum MsyncMode
{
    Async,
    Sync,
    Invalidate,
}

/// <summary>madvise's advice.</summary>
public enum MadviseMode
{
    Normal,
    Random,
    Sequential,
    WillNeed,
    DontNeed,
    Free,
}

/// <summary>What the page daemon does to one page.</summary>
public enum DaemonAction
{
    Deactivate,
    Clean,
    Free,

    /// <summary>An asynchronous pageout started: the page stays busy until someone waits for its I/O.</summary>
    Pageout,
}

/// <summary>The page queue a page is on.</summary>
public enum QueueKind
{
    None,
    Active,
    Inactive,
}

public partial interface IKernelFactSink
{
    /// <summary>
    /// A resident page of file <paramref name="file"/>: its physical page, PG_CLEAN, its queue and the
    /// content word it holds. => called in increasing (file, offset) order
    /// </summary>
    void FilePage(int file, long offset, int page, bool clean, QueueKind queue, long data) { }

    /// <summary>A block of a file that was ever written: its content word. => in increasing (file, block) order</summary>
    void FileBlock(int file, int block, long data) { }

    /// <summary>
    /// The page at <paramref name="position"/> (from the head) of the active or inactive queue, which the
    /// page daemon scans in that order. => each queue from head to tail, active first
    /// </summary>
    void QueuedPage(QueueKind queue, int position, int page) { }

    /// <summary>
    /// false: <see cref="IKernelMachine.WalkKernel"/> leaves out the facts the object layer holds, the sink
    /// taking them from <see cref="IKernelMachine.WalkFiles"/> itself (the incremental fingerprint, which keeps
    /// their sum while <see cref="IKernelMachine.FileChanges"/> stays).
    /// </summary>
    bool WantsFiles => true;
}

public partial interface IKernelMachine
{
    /// <summary>
    /// sys_mmap of a file (<paramref name="file"/> 1..3, opened read-write) at <paramref name="offset"/>,
    /// at <paramref name="addr"/> with MAP_FIXED or, when null, at the first address that fits.
    /// => <paramref name="chosen"/> is the address mapped
    /// </summary>
    string? MmapFile(
        int pid,
        ulong? addr,
        ulong size,
        MapProt prot,
        int file,
        ulong offset,
        bool shared,
        out ulong chosen
    );

    /// <summary>sys_msync over [addr, addr + size) of a process.</summary>
    string? Msync(int pid, ulong addr, ulong size, MsyncMode mode);

    /// <summary>sys_madvise over [addr, addr + size) of a process.</summary>
    string? Madvise(int pid, ulong addr, ulong size, MadviseMode mode);

    /// <summary>The page daemon acting on physical page <paramref name="page"/>.</summary>
    string? PageDaemon(int page, DaemonAction action);

    /// <summary>
    /// What the other CPU does the first time a flush of the ops that follow sleeps on another thread's busy
    /// page (uvn_flush's uvm_pagewait under PGO_FREE, or its wait for the object's I/O under PGO_SYNCIO):
    /// it runs once the I/O slept on has completed and woken the flush, before the flush takes its locks
    /// again, and is given where the flush sleeps. Sleeps on the flush's own pager I/O do not count:
    /// the pages under it are the flush's. Null: every sleep just waits for the I/O.
    /// => cleared when it runs; the pmap shows all the flush did before the sleep while it runs
    /// </summary>
    Action<SleepPoint>? WhileAsleep { get; set; }

    /// <summary>
    /// The facts the object layer holds: the files' resident pages and written blocks, the page queues,
    /// kernel_object's and the GEM object's pages and swap slots, and which anon pages are PG_CLEAN.
    /// </summary>
    void WalkFiles(IKernelFactSink sink);

    /// <summary>
    /// The object layer's count of changes listed (<see cref="Pages.Changes.Count"/>): while it stays, so do
    /// the facts <see cref="WalkFiles"/> reports (a law pins it).
    /// </summary>
    long FileChanges { get; }
}
