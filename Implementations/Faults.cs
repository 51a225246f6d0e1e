using UvmDiff.Implementations.Map;
using UvmDiff.Implementations.Objects;
using UvmDiff.Implementations.Pmap;

namespace UvmDiff.Implementations;

/// <summary>
/// A named bug an implementation can be built with: the bug pattern of a seed or of a hazard in
/// uvm-semantics.md §8. Every one must be caught by the suite. Each layer declares its faults in a
/// catalog of its own (<see cref="ObjectFaults"/>, ...); <see cref="FaultCatalog"/> joins them.
/// </summary>
/// <param name="Name">Unique across layers; the name <c>--fault</c> and trace headers use.</param>
/// <param name="Layer">The layer whose implementations the fault changes.</param>
/// <param name="Provenance">Which seed or hazard it models.</param>
/// <param name="Description">What the faulty code does.</param>
/// <param name="Branch">The probe that counts how often the code the fault changes was reached.</param>
/// <param name="Implies">Faults switched on with it (a composite such as a diff as posted).</param>
public sealed record Fault(
    string Name,
    string Layer,
    string Provenance,
    string Description,
    string Branch,
    IReadOnlyList<Fault> Implies
)
{
    public override string ToString() => Name;
}

/// <summary>Every fault of every layer, in one list; a fault's position is its bit in <see cref="FaultSet"/>.</summary>
public static class FaultCatalog
{
    public static readonly IReadOnlyList<Fault> All =
    [
        .. ObjectFaults.All,
        .. MapFaults.All,
        .. PmapFaults.All,
        .. Concurrency.ConcurrencyFaults.All,
        .. Kernel.KernelFaults.All,
    ];

    private static readonly Dictionary<Fault, int> Index = IndexAll();

    private static Dictionary<Fault, int> IndexAll()
    {
        if (All.Count > 128)
            throw new InvalidOperationException("FaultSet holds 128 faults");
        var index = new Dictionary<Fault, int>(ReferenceEqualityComparer.Instance);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < All.Count; i++)
        {
            if (!names.Add(All[i].Name))
                throw new InvalidOperationException($"two faults are called {All[i].Name}");
            index.Add(All[i], i);
        }
        return index;
    }

    public static int IndexOf(Fault fault) => Index[fault];

    /// <summary>Case-insensitive lookup by name; null when there is no such fault.</summary>
    public static Fault? Find(string name)
    {
        foreach (var fault in All)
        {
            if (string.Equals(fault.Name, name, StringComparison.OrdinalIgnoreCase))
                return fault;
        }
        return null;
    }

    public static IEnumerable<Fault> OfLayer(string layer)
    {
        foreach (var fault in All)
        {
            if (fault.Layer == layer)
                yield return fault;
        }
    }
}

/// <summary>The faults an implementation is built with; composite faults switch on what they imply.</summary>
public readonly record struct FaultSet(UInt128 Bits)
{
    public static readonly FaultSet None = new(UInt128.Zero);

    public static FaultSet Of(Fault fault)
    {
        var bits = UInt128.One << FaultCatalog.IndexOf(fault);
        foreach (var implied in fault.Implies)
            bits |= Of(implied).Bits;
        return new FaultSet(bits);
    }

    public bool Has(Fault fault) => (Bits & (UInt128.One << FaultCatalog.IndexOf(fault))) != UInt128.Zero;

    public bool IsNone => Bits == UInt128.Zero;

    public override string ToString()
    {
        if (IsNone)
            return "none";
        var names = new List<string>();
        foreach (var fault in FaultCatalog.All)
        {
            if (Has(fault))
                names.Add(fault.Name);
        }
        return string.Join("+", names);
    }
}
