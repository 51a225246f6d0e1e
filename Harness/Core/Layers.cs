using UvmDiff.Harness.Map;
using UvmDiff.Harness.Objects;
using UvmDiff.Harness.Pmap;
using UvmDiff.Harness.Snapshots;
using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>
/// Options that only some layers take (the command line's --maps and --arch), and the faults the run
/// builds its implementations with, so that a layer can refuse a fault its options leave unreachable.
/// </summary>
public sealed record LayerOptions(string? MapsFile = null, string? Arch = null, FaultSet? Faults = null)
{
    public static readonly LayerOptions None = new();

    /// <summary>=> <paramref name="layer"/>, after throwing <see cref="LayerOptionException"/> if it cannot show one of <see cref="Faults"/></summary>
    public ILayer<TOp> Refusing<TOp>(ILayer<TOp> layer)
        where TOp : class
    {
        foreach (var fault in FaultCatalog.All)
        {
            if (Faults is { } set && set.Has(fault) && layer.Unreachable(fault) is { } why)
                throw new LayerOptionException(why);
        }
        return layer;
    }

    /// <summary>=> throws <see cref="LayerOptionException"/> if an option was given that <paramref name="layer"/> does not take</summary>
    public void AcceptOnly(string layer, bool maps = false, bool arch = false)
    {
        if (MapsFile is not null && !maps)
            throw new LayerOptionException($"--maps does not apply to layer '{layer}'");
        if (Arch is not null && !arch)
            throw new LayerOptionException($"--arch does not apply to layer '{layer}'");
    }
}

/// <summary>An option a layer cannot take, or a value it cannot use: one line for the user.</summary>
public sealed class LayerOptionException(string message) : Exception(message);

/// <summary>Something done with a layer whatever its op type: run a campaign, replay a trace, ...</summary>
public interface ILayerVisitor<out TResult>
{
    TResult Visit<TOp>(ILayer<TOp> layer)
        where TOp : class;
}

/// <summary>A layer as the command line and the tests find it by name, with its snapshot suites.</summary>
public abstract class LayerEntry(string name, string description, IReadOnlyList<SnapshotSuite> snapshots)
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public IReadOnlyList<SnapshotSuite> Snapshots { get; } = snapshots;

    /// <summary>Build the layer with <paramref name="options"/> and hand it to <paramref name="visitor"/>.</summary>
    public abstract TResult Accept<TResult>(ILayerVisitor<TResult> visitor, LayerOptions options);
}

public sealed class LayerEntry<TOp>(
    string name,
    string description,
    Func<LayerOptions, ILayer<TOp>> create,
    IReadOnlyList<SnapshotSuite> snapshots
) : LayerEntry(name, description, snapshots)
    where TOp : class
{
    public override TResult Accept<TResult>(ILayerVisitor<TResult> visitor, LayerOptions options) =>
        visitor.Visit(create(options));
}

/// <summary>Every layer, one line each.</summary>
public static class Layers
{
    public static readonly IReadOnlyList<LayerEntry> All =
    [
        new LayerEntry<ObjOp>(
            "objects",
            "object/page layer: page lookup, range iteration, flush, unwire (seed 000)",
            options =>
            {
                options.AcceptOnly("objects");
                return ObjectLayer.Instance;
            },
            [SnapshotSuite.OnReference("objects", ObjectLayer.Instance, ObjectScenarios.All)]
        ),
        new LayerEntry<MapOp>(
            "map",
            "map layer: clipping, amap chunking, sorted list vs RB tree vs B+-tree (seed 001)",
            MapLayer.Create,
            [MapScenarios.Suite]
        ),
        new LayerEntry<PmapOp>(
            "pmap",
            "pmap layer: simulated amd64 and arm64 page tables, TLBs and teardown (seeds 003, 004)",
            options =>
            {
                options.AcceptOnly("pmap", arch: true);
                return options.Refusing(PmapLayer.For(options.Arch));
            },
            PmapSnapshots.All
        ),
        new LayerEntry<Kernel.KernelOp>(
            "kernel",
            "whole kernel, first slice: processes whose vmspaces compose a map, a pmap and file objects",
            options =>
            {
                options.AcceptOnly("kernel");
                return options.Refusing(Kernel.KernelLayer.Instance);
            },
            Kernel.KernelScenarios.Suites
        ),
        new LayerEntry<Concurrency.ConcurrentProgram>(
            "concurrency",
            "seed 002 on two CPUs: page free, clean, wire and fault interleaved, linearizable to the reference",
            options =>
            {
                options.AcceptOnly("concurrency");
                return Concurrency.ConcurrencyLayer.Instance;
            },
            [
                SnapshotSuite.OnReference(
                    "concurrency",
                    Concurrency.ConcurrencyLayer.Instance,
                    Concurrency.ConcurrencyScenarios.All
                ),
            ]
        ),
    ];

    public static IEnumerable<SnapshotSuite> SnapshotSuites => All.SelectMany(layer => layer.Snapshots);

    /// <summary>
    /// A fault of <paramref name="faults"/> that the implementations of <paramref name="layer"/> cannot
    /// be built with, or null. A layer runs its own faults; the kernel composes every layer's.
    /// </summary>
    public static Implementations.Fault? FaultsOutside(string layer, Implementations.FaultSet faults)
    {
        foreach (var fault in Implementations.FaultCatalog.All)
        {
            if (faults.Has(fault) && fault.Layer != layer && layer != "kernel")
                return fault;
        }
        return null;
    }

    public static LayerEntry? Find(string name)
    {
        foreach (var layer in All)
        {
            if (string.Equals(layer.Name, name, StringComparison.OrdinalIgnoreCase))
                return layer;
        }
        return null;
    }
}
