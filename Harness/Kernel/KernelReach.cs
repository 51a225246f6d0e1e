using UvmDiff.Implementations;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// Which faults of the catalog the whole kernel cannot show yet, and why: the op its implementations
/// would have to run is not among the kernel's ops. Every other fault of every layer must be detected
/// from the kernel level (the fault-detection theory of the kernel and <c>uvmdiff faults --layer kernel</c>).
/// </summary>
public static class KernelReach
{
    private const string NoInterleaving =
        "seed 002's interleavings inside one routine run in the concurrency layer; the kernel's syscalls and faults are atomic steps";

    private const string NoObjects =
        "the kernel has no uvm_objects yet (files, uao): the object layer's routines are not composed";

    private static readonly Dictionary<string, string> Why = new()
    {
        ["DequeueOutsidePageqMutex"] = NoInterleaving,
        ["OwnerUnlockedBeforeFree"] = NoInterleaving,
        ["PagecleanWithoutOwnerLock"] = NoInterleaving,
        ["PagedaemonFreesQueuedPage"] = NoInterleaving,
        ["PagedaemonLocksOwnerUnderPageq"] = NoInterleaving,
        ["Seed002FirstPosting"] = NoInterleaving,
        ["WiredPlainLoadStore"] = NoInterleaving,
        ["DropSwapRangeIgnoresBadSlots"] = NoObjects,
        ["FreeWithoutDequeue"] = NoObjects,
        ["KmPgremoveResidentOnlySwap"] = NoObjects,
        ["NoPrefetch"] = NoObjects,
        ["NoRestartAfterPageout"] = NoObjects,
        ["NoRestartAfterSleep"] = NoObjects,
        ["ObjUnwireSkipsHoles"] = NoObjects,
        ["RangeEndInclusive"] = NoObjects,
        ["RestartOffsetReadAfterSleep"] = NoObjects,
        ["Seed000AsPosted"] = NoObjects,
        ["UvnFlushRestartClobbersStart"] = NoObjects,
        ["ClipKeepsObjectOffset"] = "the kernel maps no files, so no entry with an object is clipped",
        ["StackChunked"] = "the kernel's mmap has no MAP_STACK",
        ["Amd64SparseSummaryStaleOnPageRemove"] =
            "pmap_page_protect(PROT_NONE) of a page still mapped comes from the pagedaemon, which the kernel does not have (an unmapped anon's page is freed after pmap_remove)",
        ["Arm64VpDestroyUnlocked"] =
            "it needs another CPU's PV walk inside an exit's teardown, and the kernel has no pagedaemon to run one",
        ["Arm64ProtectReadWithoutFlush"] =
            "pmap_page_protect(PROT_READ) comes from copy on write or the pagedaemon, which the kernel does not have",
    };

    /// <summary>=> why the kernel cannot show <paramref name="fault"/>, or null when it can</summary>
    public static string? Unreachable(Fault fault) =>
        Why.TryGetValue(fault.Name, out string? why) ? $"fault {fault.Name} is out of the kernel's reach: {why}" : null;

    /// <summary>Every fault of the catalog the kernel can show.</summary>
    public static IEnumerable<Fault> Reachable()
    {
        foreach (var fault in FaultCatalog.All)
        {
            if (!Why.ContainsKey(fault.Name))
                yield return fault;
        }
    }
}
