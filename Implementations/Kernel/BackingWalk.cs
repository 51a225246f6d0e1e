using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Spec.Map;

namespace UvmDiff.Implementations.Kernel;

/// <summary>What the reverse lookup asks the kernel about a physical page.</summary>
public interface IBackedPages
{
    /// <summary>=> the id, as process <paramref name="pid"/>'s amaps number it, of the anon <paramref name="page"/> backs; 0 for none</summary>
    int AnonIn(int pid, int page);
}

/// <summary>
/// The kernel's reverse lookup for seed 003's pmap (<see cref="BackingLookup"/>). DragonFly finds a page's
/// mappings from its object through the vm_map_backing chains to the entries mapping them; UVM's
/// analogue is the page's anon, held in a slot of an amap, which one or more entries reference through
/// their aref (amap, pageoff): an amap clipped into two entries, or shared by a MAP_SHARED entry and its
/// forked copy, is one backing with several entries. Keeping no index, the walk reads every live
/// process's map through its observation, each entry's backing nodes in turn (its amap, then its
/// object), and derives each va from the entry: start + (slot - pageoff) pages. It counts its work.
/// </summary>
public sealed class BackingWalk : IReverseLookup, IMapObserver
{
    private readonly bool _firstEntryOnly;
    private IVmMapMachine[] _maps = [];
    private bool[] _alive = [];
    private IBackedPages _pages = null!;
    private long[] _probes = [];

    private readonly List<EntryFacts> _entries = [];
    private readonly List<(int Amap, int Slot)> _slots = [];
    private readonly List<int> _amapsSeen = [];
    private int _anon;

    /// <summary>Reverse lookups run (one per page operation of the pmap).</summary>
    public long Lookups;

    /// <summary>Map entries read by the lookups.</summary>
    public long EntriesVisited;

    /// <summary>Backing nodes examined: each entry's amap and object.</summary>
    public long NodesVisited;

    public BackingWalk(FaultSet faults) => _firstEntryOnly = faults.Has(KernelFaults.BackingFirstEntryOnly);

    /// <summary>The kernel's processes and pages the walk reads; the kernel's probe counters it bumps.</summary>
    public void Attach(IVmMapMachine[] maps, bool[] alive, IBackedPages pages, long[] probes)
    {
        _maps = maps;
        _alive = alive;
        _pages = pages;
        _probes = probes;
    }

    public void ResetCounters() => Lookups = EntriesVisited = NodesVisited = 0;

    /// <summary>
    /// => every (process, va) whose entry maps the anon the page backs. A process whose amaps cannot hold
    /// the anon (<see cref="IBackedPages.AnonIn"/> is 0) still has its entries read and counted: keeping
    /// no index, the walk cannot know that before reading them.
    /// </summary>
    public void MappingsOf(int page, List<(int Pmap, ulong Va)> into)
    {
        Lookups++;
        for (int pid = 0; pid < _maps.Length; pid++)
        {
            if (!_alive[pid])
                continue;
            _entries.Clear();
            _slots.Clear();
            _amapsSeen.Clear();
            _anon = _pages.AnonIn(pid, page);
            _maps[pid].Walk(this);
            foreach (var entry in _entries)
            {
                EntriesVisited++;
                if (entry.AmapId != 0)
                    FromAmap(pid, entry, into);
                if (entry.Obj != 0)
                    NodesVisited++;
            }
        }
    }

    /// <summary>The amap level: the entry's window of the amap, [pageoff, pageoff + npages), holds the anon's slot.</summary>
    private void FromAmap(int pid, in EntryFacts entry, List<(int Pmap, ulong Va)> into)
    {
        NodesVisited++;
        if (_amapsSeen.Contains(entry.AmapId))
        {
            _probes[KernelProbes.AmapSharedByEntries]++;
            if (_firstEntryOnly)
                return;
        }
        else
            _amapsSeen.Add(entry.AmapId);
        int pages = (int)((entry.End - entry.Start) >> MapConst.PageShift);
        foreach (var (amap, slot) in _slots)
        {
            if (amap == entry.AmapId && slot >= entry.PageOff && slot < entry.PageOff + pages)
                into.Add((pid, entry.Start + ((ulong)(slot - entry.PageOff) << MapConst.PageShift)));
        }
    }

    public void Entry(in EntryFacts entry) => _entries.Add(entry);

    public void AnonSlot(int amap, int slot, int anon)
    {
        if (anon == _anon)
            _slots.Add((amap, slot));
    }

    public void Amap(int id, int slots, int refs) { }

    public void Anon(int id, int refs, int wired) { }

    public void ObjectPage(int obj, ulong offset, int wired) { }

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }
}
