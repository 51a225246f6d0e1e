using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using MapProt = UvmDiff.Spec.Map.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>The pmap's facts gathered for the kernel's own checks and page allocation.</summary>
public sealed class PageWires : IPmapFactSink
{
    public readonly int[] Count = new int[KernelWorld.Pages];
    public readonly List<(int Pmap, ulong Va, int Page, bool Wired)> Mappings = [];
    public readonly int[] MappedTimes = new int[KernelWorld.Pages];

    public void Cpu(int cpu, int pmap) { }

    public void Pmap(int pmap, bool alive, int mapped, int wired) { }

    public void Mapping(int pmap, ulong va, int page, Pmap.Prot grants, bool wired) =>
        Mappings.Add((pmap, va, page, wired));

    public void Page(int page, bool referenced, bool modified, int wireCount) => Count[page] = wireCount;

    public void Pv(int page, int pmap, ulong va) => MappedTimes[page]++;
}

public sealed partial class ReferenceKernel
{
    /// <summary>
    /// Each layer's invariants (uvm_tree_sanity and the map's own checks per live process, the pmap's own),
    /// then the composition's:
    /// => every translation of a process lies in a non-HOLE entry of its map and maps the page backing the
    ///    anon at that address
    /// => a free page has no mappings
    /// => a translation in a wired entry is wired (uvm_fault_wire and every fault on a wired entry enter
    ///    with PMAP_WIRED); not on arm64, whose pmap_enter returns early on an unchanged mapping without
    ///    looking at PMAP_WIRED, so mlock of a page already mapped leaves its PTE unwired
    /// </summary>
    public string? Check(bool full)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            if (_maps[pid].Check() is { } broken)
                return $"process {pid} map: {broken}";
        }
        if (_pmap.CheckInvariants(full) is { } pmapBroken)
            return $"pmap: {pmapBroken}";
        var facts = new PageWires();
        _pmap.Walk(facts);
        var views = new MapView[KernelWorld.Processes];
        for (int pid = 0; pid < views.Length; pid++)
            views[pid] = MapView.Of(_maps[pid]);
        foreach (var (pmap, va, page, wired) in facts.Mappings)
        {
            var entry = views[pmap].EntryAt(va);
            if (entry is null || (entry.Value.EType & EType.Hole) != 0)
                return $"process {pmap}: translation at 0x{va:x} outside every entry";
            int anon = views[pmap].AnonAt(entry.Value, va);
            if (anon == 0 || !_owner.TryGetValue(page, out var owner) || owner != (pmap, anon))
                return $"process {pmap}: translation at 0x{va:x} maps page {page}, not the page of anon {anon}";
            if (entry.Value.WiredCount > 0 && !wired && !_pmap.Profile.SameEnterKeepsWiring)
                return $"process {pmap}: translation at 0x{va:x} in a wired entry is not wired";
        }
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (!_owner.ContainsKey(page) && facts.MappedTimes[page] != 0)
                return $"free page {page} is mapped";
        }
        return null;
    }
}
