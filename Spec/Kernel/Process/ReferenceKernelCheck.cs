using UvmDiff.Spec.Pmap;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>The pmap's facts gathered for the cross-layer checks (and the laws that read wire counts off a walk).</summary>
public sealed class PageWires : IPmapFactSink
{
    public readonly int[] Count = new int[KernelWorld.Pages];
    public readonly List<(int Pmap, ulong Va, int Page, bool Wired, Prot Grants)> Mappings = [];
    public readonly int[] MappedTimes = new int[KernelWorld.Pages];

    /// <summary>Empty again, keeping its storage, before another walk fills it.</summary>
    public void Clear()
    {
        Array.Clear(Count);
        Mappings.Clear();
        Array.Clear(MappedTimes);
    }

    public void Cpu(int cpu, int pmap) { }

    public void Pmap(int pmap, bool alive, int mapped, int wired) { }

    public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) =>
        Mappings.Add((pmap, va, page, wired, grants));

    public void Page(int page, bool referenced, bool modified, int wireCount) => Count[page] = wireCount;

    public void Pv(int page, int pmap, ulong va) => MappedTimes[page]++;
}

public sealed partial class ReferenceKernel
{
    /// <summary>The map's <see cref="IVmMapMachine.Changes"/> when it last passed its check, per process.</summary>
    private readonly long[] _mapCheckedAt = [.. Enumerable.Repeat(-1L, KernelWorld.Processes)];

    /// <summary>
    /// Each layer's invariants: uvm_tree_sanity and the map's own checks per process (of the maps a routine
    /// ran on since their last check, or all with <paramref name="full"/>: the check reads nothing else),
    /// the pmap's own, the object layer's over the files' pages (when a page, object or block changed
    /// since the last check, or with <paramref name="full"/>); with <paramref name="full"/>, then the
    /// composition's (<see cref="CrossLayer.Check"/>), which walks every map and the whole pmap.
    /// </summary>
    public string? Check(bool full)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            if (!full && _maps[pid].Changes == _mapCheckedAt[pid])
                continue;
            if (_maps[pid].Check() is { } broken)
                return $"process {pid} map: {broken}";
            _mapCheckedAt[pid] = _maps[pid].Changes;
        }
        if (_pmap.CheckInvariants(full) is { } pmapBroken)
            return $"pmap: {pmapBroken}";
        if (Invariants.CheckStep(_uvm, full) is { } objectsBroken)
            return $"objects: {objectsBroken}";
        return full ? CrossLayer.Check(this) : null;
    }
}
