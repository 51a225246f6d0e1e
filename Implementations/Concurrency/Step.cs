namespace UvmDiff.Implementations.Concurrency;

public enum StepKind : byte
{
    Plain,
    Acquire,
    Release,
}

/// <summary>
/// One atomic step a thread is about to take: a lock taken or released, or one load, store, atomic op,
/// queue link operation or pmap call. The scheduler reads it before running it: an Acquire of a lock
/// another thread holds is not runnable, and two steps whose footprints are disjoint commute.
/// </summary>
/// <param name="Lock">The lock an Acquire or Release step names (<see cref="Locks"/>), else -1.</param>
/// <param name="Footprint">Every shared thing the step may read or write, as <see cref="Footprints"/> bits.</param>
/// <param name="Text">What the kernel does at this step.</param>
/// <param name="Page">The page the step is about, or -1.</param>
public readonly record struct Step(StepKind Kind, int Lock, ulong Footprint, string Text, int Page)
{
    public static Step Plain(ulong footprint, string text, int page) => new(StepKind.Plain, -1, footprint, text, page);

    public static Step Acquire(int lockId) =>
        new(StepKind.Acquire, lockId, Footprints.Lock(lockId), Locks.Enter[lockId], -1);

    public static Step Release(int lockId) =>
        new(StepKind.Release, lockId, Footprints.Lock(lockId), Locks.Exit[lockId], -1);

    public override string ToString() => Page < 0 ? Text : $"{Text} [pg {Page}]";
}

/// <summary>
/// The locks of the model: the page-queue mutex, and one owner lock per kind of owner; the whole kernel's
/// races add the locks of a second and third amap and of a second and third file object, for pages whose
/// owners the kernel knows to be locked apart.
/// </summary>
public static class Locks
{
    public const int Pageq = 0;
    public const int Amap = 1;
    public const int Aobj = 2;
    public const int Kobj = 3;
    public const int Amap2 = 4;
    public const int Amap3 = 5;
    public const int Aobj2 = 6;
    public const int Aobj3 = 7;
    public const int Count = 8;

    public static readonly string[] Names =
    [
        "uvm.pageqlock",
        "amap->am_lock",
        "aobj vmobjlock",
        "kernel_object vmobjlock",
        "amap->am_lock (a second amap)",
        "amap->am_lock (a third amap)",
        "vmobjlock (a second object)",
        "vmobjlock (a third object)",
    ];

    public static readonly string[] Enter =
    [
        "mtx_enter(&uvm.pageqlock)",
        "rw_enter(amap->am_lock)",
        "rw_enter(aobj->vmobjlock)",
        "rw_enter(kernel_object->vmobjlock)",
        "rw_enter(amap->am_lock) (a second amap)",
        "rw_enter(amap->am_lock) (a third amap)",
        "rw_enter(uobj->vmobjlock) (a second object)",
        "rw_enter(uobj->vmobjlock) (a third object)",
    ];

    public static readonly string[] Exit =
    [
        "mtx_leave(&uvm.pageqlock)",
        "rw_exit(amap->am_lock)",
        "rw_exit(aobj->vmobjlock)",
        "rw_exit(kernel_object->vmobjlock)",
        "rw_exit(amap->am_lock) (a second amap)",
        "rw_exit(amap->am_lock) (a third amap)",
        "rw_exit(uobj->vmobjlock) (a second object)",
        "rw_exit(uobj->vmobjlock) (a third object)",
    ];

    /// <summary>A mutex raises the IPL: the thread holding it cannot be switched off its CPU.</summary>
    public static bool IsMutex(int lockId) => lockId == Pageq;
}

/// <summary>Footprint bits: locks, the two queues, the shared counters, owner slots and pages.</summary>
public static class Footprints
{
    public const ulong ActiveQueue = 1UL << Locks.Count;
    public const ulong InactiveQueue = 1UL << (Locks.Count + 1);
    public const ulong WiredCounter = 1UL << (Locks.Count + 2);
    public const ulong FreePages = 1UL << (Locks.Count + 3);

    /// <summary>
    /// Threads sharing a CPU: each step of thread 0 or 2 carries its thread's bit, and a step of either that
    /// takes or releases the page-queue mutex carries both, since it decides whether the other may run.
    /// </summary>
    public const ulong CpuMateOfThread0 = 1UL << 62;
    public const ulong CpuMateOfThread2 = 1UL << 63;

    public const int MaxSlots = 8;

    /// <summary>Bits 20..61: the pages of a world of eight slots and eight free pages, with room to spare.</summary>
    public const int MaxPages = 42;

    public static ulong Lock(int lockId) => 1UL << lockId;

    public static ulong Queue(int queue) => queue == 0 ? ActiveQueue : InactiveQueue;

    public static ulong Slot(int slot) => 1UL << (Locks.Count + 4 + slot);

    public static ulong Page(int page) => 1UL << (Locks.Count + 4 + MaxSlots + page);
}
