using UvmDiff.Implementations;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// Which faults of the catalog the whole kernel cannot show yet, and why: the op its implementations
/// would have to run is not among the kernel's ops. None today: since the race op ran seed 002's
/// interleavings on two CPUs, every fault of every layer must be detected from the kernel level (the
/// fault-detection theory of the kernel and <c>uvmdiff faults --layer kernel</c>). A fault added to the
/// catalog that the kernel cannot reach is named here with the reason.
/// </summary>
public static class KernelReach
{
    private static readonly Dictionary<string, string> Why = [];

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
