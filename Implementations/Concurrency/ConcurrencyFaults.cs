namespace UvmDiff.Implementations.Concurrency;

/// <summary>
/// The concurrency layer's faults: seed 002's review questions and uvm-semantics.md hazards 6 and 21,
/// each as the code that would break the way the review feared.
/// </summary>
public static class ConcurrencyFaults
{
    private const string Layer = "concurrency";

    public static readonly Fault WiredPlainLoadStore = new(
        "WiredPlainLoadStore",
        Layer,
        "seed 002, Kettenis' point 2; hazard 21",
        "uvmexp.wired is updated with a plain load and store after the page-queue lock was pushed down into uvm_pageclean (a lost update)",
        ConcurrencyProbes.Names[ConcurrencyProbes.WiredOutsidePageq],
        []
    );

    public static readonly Fault PagecleanWithoutOwnerLock = new(
        "PagecleanWithoutOwnerLock",
        Layer,
        "seed 002, Kettenis' first question",
        "uao_flush's free path runs without the object lock, so two CPUs can clean and free one page",
        ConcurrencyProbes.Names[ConcurrencyProbes.UaoFlushFreed],
        []
    );

    public static readonly Fault OwnerUnlockedBeforeFree = new(
        "OwnerUnlockedBeforeFree",
        Layer,
        "seed 002, Kettenis' point 4",
        "uao_flush drops and retakes the object lock between pmap_page_protect(PROT_NONE) and uvm_pagefree, so a fault can map the page back in",
        ConcurrencyProbes.Names[ConcurrencyProbes.UaoFlushFreed],
        []
    );

    public static readonly Fault DequeueOutsidePageqMutex = new(
        "DequeueOutsidePageqMutex",
        Layer,
        "seed 002 (the lock is needed around uvm_pagedequeue)",
        "uvm_pageclean dequeues the page without taking the page-queue mutex",
        ConcurrencyProbes.Names[ConcurrencyProbes.PagecleanDequeued],
        []
    );

    public static readonly Fault PagedaemonFreesQueuedPage = new(
        "PagedaemonFreesQueuedPage",
        Layer,
        "seed 002 (\"dequeue first to prevent lock recursion\"); hazard 6",
        "uvmpd_scan_inactive still holds the page-queue lock and calls uvm_pagefree on a queued page, which takes the lock again",
        ConcurrencyProbes.Names[ConcurrencyProbes.PagedaemonFreed],
        []
    );

    public static readonly Fault PagedaemonLocksOwnerUnderPageq = new(
        "PagedaemonLocksOwnerUnderPageq",
        Layer,
        "uvm_pdaemon.c (uvmpd_trylockowner): the lock order is owner lock, then page-queue lock",
        "the pagedaemon holds the page-queue lock and waits for the owner lock instead of trying it, against a fault that holds the owner lock and waits for the page-queue lock",
        ConcurrencyProbes.Names[ConcurrencyProbes.LockWaited],
        []
    );

    public static readonly Fault Seed002FirstPosting = new(
        "Seed002FirstPosting",
        Layer,
        "seed 002, the diff as first posted (19 Feb 2025), before the atomic uvmexp.wired",
        "the page-queue lock pushed into uvm_pageclean with uvmexp.wired still updated by plain loads and stores",
        ConcurrencyProbes.Names[ConcurrencyProbes.WiredOutsidePageq],
        [WiredPlainLoadStore]
    );

    public static readonly IReadOnlyList<Fault> All =
    [
        WiredPlainLoadStore,
        PagecleanWithoutOwnerLock,
        OwnerUnlockedBeforeFree,
        DequeueOutsidePageqMutex,
        PagedaemonFreesQueuedPage,
        PagedaemonLocksOwnerUnderPageq,
        Seed002FirstPosting,
    ];
}

/// <summary>Branches of the stepped kernel whose reach campaigns report; indices into the probe counts.</summary>
public static class ConcurrencyProbes
{
    public const int WiredOutsidePageq = 0;
    public const int UaoFlushFreed = 1;
    public const int PagecleanDequeued = 2;
    public const int PagedaemonFreed = 3;
    public const int FaultMappedResident = 4;
    public const int LockWaited = 5;

    public static readonly IReadOnlyList<string> Names =
    [
        "uvmexp.wired changed without the page-queue lock",
        "uao_flush freed a page",
        "uvm_pageclean dequeued a queued page itself",
        "the pagedaemon freed a page",
        "a fault mapped a resident page back in",
        "a thread waited for a lock",
    ];
}
