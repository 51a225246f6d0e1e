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

    private static readonly Dictionary<string, string> Why = new()
    {
        ["DequeueOutsidePageqMutex"] = NoInterleaving,
        ["OwnerUnlockedBeforeFree"] = NoInterleaving,
        ["PagecleanWithoutOwnerLock"] = NoInterleaving,
        ["PagedaemonFreesQueuedPage"] = NoInterleaving,
        ["PagedaemonLocksOwnerUnderPageq"] = NoInterleaving,
        ["Seed002FirstPosting"] = NoInterleaving,
        ["WiredPlainLoadStore"] = NoInterleaving,
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
