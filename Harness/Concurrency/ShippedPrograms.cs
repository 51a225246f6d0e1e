namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// The programs <c>uvmdiff explore</c> runs by default and the tests explore exhaustively: one per review
/// question of seed 002, and one that churns both page queues from two CPUs.
/// </summary>
public static class ShippedPrograms
{
    /// <summary>Kettenis: can uvm_pageclean be called simultaneously by two CPUs for the same page?</summary>
    public static readonly ConcurrentProgram TwoCpusCleanOnePage = ProgramParser.Parse(
        "Program(slots: [aobj|active|mapped, anon|inactive|mapped], a: [UaoFlushFree(0), AnFree(1)], b: [UaoFlushFree(0), AnonRelease(1)])"
    );

    /// <summary>Kettenis: uvmexp.wired-- now happens without the page-queue lock; can the counter drift?</summary>
    public static readonly ConcurrentProgram WiredCounterDrift = ProgramParser.Parse(
        "Program(slots: [kmem|wired, anon|active, aobj|wired], a: [KmPgremove(0), Unwire(2)], b: [Wire(1)])"
    );

    /// <summary>Kettenis: what stops another CPU faulting the page back in between PROT_NONE and uvm_pagefree?</summary>
    public static readonly ConcurrentProgram FaultBackBeforeFree = ProgramParser.Parse(
        "Program(slots: [aobj|active|mapped, anon|active|mapped], a: [UaoFlushFree(0), AnFree(1)], b: [Fault(0), Fault(1)])"
    );

    /// <summary>Frees, the pagedaemon and faults working both queues at once.</summary>
    public static readonly ConcurrentProgram QueueChurn = ProgramParser.Parse(
        "Program(slots: [aobj|active, anon|active, aobj|inactive], a: [UaoFlushFree(0), DaemonFree(2)], b: [Deactivate(1), Fault(0)])"
    );

    public static readonly IReadOnlyList<(string Name, ConcurrentProgram Program)> All =
    [
        ("two-cpus-clean-one-page", TwoCpusCleanOnePage),
        ("wired-counter-drift", WiredCounterDrift),
        ("fault-back-before-free", FaultBackBeforeFree),
        ("queue-churn", QueueChurn),
    ];
}
