using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using MapProt = UvmDiff.Spec.Map.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The invariants of the composition, stated over what any kernel machine shows (its maps', pmap's and
/// page table's observations), so the reference and every implementation kernel are held to the same ones.
/// </summary>
public static class CrossLayer
{
    private sealed class Owners : IKernelFactSink
    {
        public readonly Dictionary<int, int> ByPage = [];

        public void Process(int pid, bool alive) { }

        public void PageOwner(int page, int anon) => ByPage[page] = anon;

        public readonly Dictionary<(int File, long Offset), int> ByFileOffset = [];

        public void FilePage(int file, long offset, int page, bool clean, QueueKind queue, long data) =>
            ByFileOffset[(file, offset)] = page;

        public bool Owns(int page) => ByPage.ContainsKey(page) || ByFileOffset.ContainsValue(page);

        public void Counters(long faults, long allocated, long freed) { }
    }

    /// <summary>What one check gathers, kept per thread so that a check after every step allocates nothing once warm.</summary>
    private sealed class Scratch
    {
        public readonly PageWires Facts = new();
        public readonly Owners Owners = new();
        public readonly MapView[] Views = new MapView[KernelWorld.Processes];

        public Scratch()
        {
            for (int pid = 0; pid < Views.Length; pid++)
                Views[pid] = new MapView();
        }
    }

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>
    /// => every translation of a process lies in a non-HOLE entry of its map and maps the page that backs
    ///    the anon at that address, or where the entry has no anon there, the file's page at the entry's
    ///    offset
    /// => a page no anon and no file owns has no mappings
    /// => a translation in a wired entry is wired (uvm_fault_wire and every fault on a wired entry enter
    ///    with PMAP_WIRED); not on arm64, whose pmap_enter returns early on an unchanged mapping without
    ///    looking at PMAP_WIRED, so mlock of a page already mapped leaves its PTE unwired
    /// => copy on write: a translation that grants PROT_WRITE maps an anon with one reference (an anon
    ///    other amaps share is entered without PROT_WRITE, and the write that faults promotes it), unless
    ///    it is in an AMAP_SHARED amap: forkcopy of such an amap copies it for the child (an_ref++) but
    ///    write-protects only the forking parent, so the other processes sharing the amap keep writing
    ///    the anon the child now holds too (uvm_map.c 1.346, mirrored); nor in a MAP_SHARED entry (not
    ///    copy-on-write), whose amap stops being AMAP_SHARED when amap_unref leaves it one reference
    ///    while such a writable translation stays
    /// </summary>
    public static string? Check(IKernelMachine kernel)
    {
        var scratch = _scratch ??= new Scratch();
        var facts = scratch.Facts;
        facts.Clear();
        kernel.WalkPmap(facts);
        var owners = scratch.Owners;
        owners.ByPage.Clear();
        owners.ByFileOffset.Clear();
        kernel.WalkKernel(owners);
        var views = scratch.Views;
        for (int pid = 0; pid < views.Length; pid++)
        {
            views[pid].Clear();
            kernel.WalkMap(pid, views[pid]);
        }
        foreach (var (pmap, va, page, wired, grants) in facts.Mappings)
        {
            var entry = views[pmap].EntryAt(va);
            if (entry is null || (entry.Value.EType & EType.Hole) != 0)
                return $"process {pmap}: translation at 0x{va:x} outside every entry";
            int anon = views[pmap].AnonAt(entry.Value, va);
            if (anon == 0 && entry.Value.Obj != 0)
            {
                long offset = (long)(entry.Value.Offset + (va - entry.Value.Start));
                if (!owners.ByFileOffset.TryGetValue((entry.Value.Obj, offset), out int filePage) || filePage != page)
                    return $"process {pmap}: translation at 0x{va:x} maps page {page}, not file {entry.Value.Obj}'s page at 0x{offset:x}";
            }
            else if (anon == 0 || !owners.ByPage.TryGetValue(page, out var owner) || owner != anon)
                return $"process {pmap}: translation at 0x{va:x} maps page {page}, not the page of anon {anon}";
            if (entry.Value.WiredCount > 0 && !wired && kernel.Arch != Arch.Arm64)
                return $"process {pmap}: translation at 0x{va:x} in a wired entry is not wired";
            if (
                anon != 0
                && (grants & Pmap.Prot.Write) != 0
                && views[pmap].Anons[anon].Refs > 1
                && !views[pmap].Shared[entry.Value.AmapId]
                && (entry.Value.EType & EType.CopyOnWrite) != 0
            )
                return $"process {pmap}: translation at 0x{va:x} writes anon {anon}, which {views[pmap].Anons[anon].Refs} amaps share";
        }
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (!owners.Owns(page) && facts.MappedTimes[page] != 0)
                return $"page {page} backs no anon and no file but is mapped";
        }
        return null;
    }
}
