using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Spec.Map;

namespace UvmDiff.Implementations.Kernel;

/// <summary>What the reverse lookup asks the kernel about a physical page.</summary>
public interface IBackedPages
{
    /// <summary>=> the anon <paramref name="page"/> backs (anons are numbered kernel-wide); 0 for none</summary>
    int AnonOf(int page);

    /// <summary>=> whether <paramref name="page"/> is a file's page, and which file and offset</summary>
    bool FilePageOf(int page, out int file, out ulong offset);

    /// <summary>
    /// => the anon a copy-on-write promote is putting in the slots of the page's anon, while its
    /// amap_add(replace) protects the old page; 0 otherwise
    /// </summary>
    int ReplacingAnon { get; }
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
    private readonly bool _firstLevelOnly;
    private IVmMapMachine[] _maps = [];
    private bool[] _alive = [];
    private IBackedPages _pages = null!;
    private long[] _probes = [];

    private readonly List<EntryFacts> _entries = [];
    private readonly List<(int Amap, int Slot)> _slots = [];
    private readonly List<int> _amapsSeen = [];
    private int _anon;
    private int _replacing;
    private int _file;
    private ulong _offset;

    /// <summary>Reverse lookups run (one per page operation of the pmap).</summary>
    public long Lookups;

    /// <summary>Map entries read by the lookups.</summary>
    public long EntriesVisited;

    /// <summary>Backing nodes examined: each entry's amap and object.</summary>
    public long NodesVisited;

    public BackingWalk(FaultSet faults)
    {
        _firstEntryOnly = faults.Has(KernelFaults.BackingFirstEntryOnly);
        _firstLevelOnly = faults.Has(KernelFaults.BackingSkipsObjectUnderAmap);
    }

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
    /// => every (process, va) whose entry maps the anon the page backs, or, for a file's page, every
    /// (process, va) whose entry maps the file at the page's offset. An entry whose amap shadows the file
    /// page there (a private copy) is a candidate too: the walk does not look into the amap for it, and the
    /// pmap keeps only the candidates its PTE really maps to the page.
    /// </summary>
    public void MappingsOf(int page, List<(int Pmap, ulong Va)> into)
    {
        Lookups++;
        _anon = _pages.AnonOf(page);
        _replacing = _pages.ReplacingAnon;
        if (!_pages.FilePageOf(page, out _file, out _offset))
            _file = 0;
        for (int pid = 0; pid < _maps.Length; pid++)
        {
            if (!_alive[pid])
                continue;
            _entries.Clear();
            _slots.Clear();
            _amapsSeen.Clear();
            _maps[pid].Walk(this);
            foreach (var entry in _entries)
            {
                EntriesVisited++;
                if (entry.AmapId != 0)
                    FromAmap(pid, entry, into);
                if (entry.Obj == 0)
                    continue;
                if (entry.AmapId != 0)
                {
                    _probes[KernelProbes.ObjectUnderAmap]++;
                    if (_firstLevelOnly)
                        continue;
                }
                FromObject(pid, entry, into);
            }
        }
    }

    /// <summary>The object level, under the amap: the entry's window of the file, [offset, offset + size), holds the page.</summary>
    private void FromObject(int pid, in EntryFacts entry, List<(int Pmap, ulong Va)> into)
    {
        NodesVisited++;
        if (entry.Obj != _file || _offset < entry.Offset || _offset - entry.Offset >= entry.End - entry.Start)
            return;
        into.Add((pid, entry.Start + (_offset - entry.Offset)));
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
        if (anon != 0 && (anon == _anon || anon == _replacing))
            _slots.Add((amap, slot));
    }

    public void Amap(int id, int slots, int refs, bool shared) { }

    public void Anon(int id, int refs, int wired) { }

    public void ObjectPage(int obj, ulong offset, int wired) { }

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }
}
