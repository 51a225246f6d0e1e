using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>
/// The reference vm_map: the original UVM's sorted list of entries, scanned linearly, with its one-entry
/// hint. Free space before the first entry is the free-only entry the kernel keeps at min_offset; it is
/// implicit here, since no routine the model runs ever acts on it (each one skips an entry that ends at
/// or before the start of its range). The object pages and references live here too: the map layer
/// sees them only through map operations.
/// </summary>
public sealed class VmMap
{
    private readonly List<MapEntry> _entries = [];
    private MapEntry? _hint;

    public ulong Min { get; } = MapConst.MinAddress;

    public ulong Max { get; } = MapConst.MaxAddress;

    /// <summary>map->size: bytes of non-HOLE entries.</summary>
    public ulong Size;

    /// <summary>The numbers of new amaps and anons: the map's own, or its kernel's (see <see cref="AnonPool"/>).</summary>
    public AnonPool Pool { get; }

    private readonly bool _ownsPool;

    /// <summary>uo_refs of the file objects 1..3: one reference is the open file's own.</summary>
    public readonly int[] ObjectRefs = new int[MapConst.Objects + 1];

    /// <summary>Resident object pages (object, offset) and their wire counts.</summary>
    public readonly Dictionary<(int Obj, ulong Offset), int> ObjectPages = [];

    /// <param name="pool">The kernel's pool, shared with the other processes' maps; null: the map's own.</param>
    public VmMap(AnonPool? pool = null)
    {
        _ownsPool = pool is null;
        Pool = pool ?? new AnonPool();
        Reset();
    }

    public IReadOnlyList<MapEntry> Entries => _entries;

    /// <summary>How many entries the last lookups looked at: the sorted list's cost, for the benchmarks.</summary>
    public long Visited;

    /// <summary>The empty map; a kernel's pool is the kernel's to reset, not one map's.</summary>
    public void Reset()
    {
        _entries.Clear();
        _hint = null;
        Size = 0;
        if (_ownsPool)
            Pool.Reset();
        for (int i = 1; i <= MapConst.Objects; i++)
            ObjectRefs[i] = 1;
        ObjectPages.Clear();
    }

    /// <summary>
    /// Make this map a deep copy of <paramref name="other"/>: entries, amaps, anons, objects and counters.
    /// Sides that start every sequence from a large address space restore it this way instead of
    /// mapping it again entry by entry, which the linear list makes quadratic.
    /// </summary>
    public void CopyFrom(VmMap other)
    {
        Reset();
        var amaps = new Dictionary<Amap, Amap>(ReferenceEqualityComparer.Instance);
        var anons = new Dictionary<Anon, Anon>(ReferenceEqualityComparer.Instance);
        foreach (var entry in other._entries)
        {
            var copy = entry.Copy();
            if (entry.Amap is { } amap)
            {
                if (!amaps.TryGetValue(amap, out var amapCopy))
                {
                    amaps[amap] = amapCopy = new Amap(amap.Id, amap.Slots.Length)
                    {
                        Refs = amap.Refs,
                        Shared = amap.Shared,
                        PerPageRefs = (int[]?)amap.PerPageRefs?.Clone(),
                    };
                    for (int slot = 0; slot < amap.Slots.Length; slot++)
                    {
                        if (amap.Slots[slot] is not { } anon)
                            continue;
                        if (!anons.TryGetValue(anon, out var anonCopy))
                            anons[anon] = anonCopy = new Anon(anon.Id) { Refs = anon.Refs, Wired = anon.Wired };
                        amapCopy.Slots[slot] = anonCopy;
                    }
                }
                copy.Amap = amapCopy;
            }
            _entries.Add(copy);
        }
        Size = other.Size;
        Pool.NextAmap = other.Pool.NextAmap;
        Pool.NextAnon = other.Pool.NextAnon;
        Array.Copy(other.ObjectRefs, ObjectRefs, ObjectRefs.Length);
        foreach (var (key, wired) in other.ObjectPages)
            ObjectPages[key] = wired;
    }

    public int IndexOf(MapEntry entry)
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            Visited++;
            if (ReferenceEquals(_entries[i], entry))
                return i;
        }
        throw K.Panic("entry not in map");
    }

    public MapEntry? Next(MapEntry entry)
    {
        int i = IndexOf(entry);
        return i + 1 < _entries.Count ? _entries[i + 1] : null;
    }

    public MapEntry? Prev(MapEntry entry)
    {
        int i = IndexOf(entry);
        return i > 0 ? _entries[i - 1] : null;
    }

    public MapEntry? First => _entries.Count > 0 ? _entries[0] : null;

    /// <summary>=> the map is not empty</summary>
    public MapEntry Last => _entries[^1];

    /// <summary>
    /// uvm_map_entrybyaddr: the entry whose [start, FREE_END) holds <paramref name="addr"/>; null for the
    /// free space before the first entry. The hint is tried first, as the original UVM did.
    /// </summary>
    public MapEntry? EntryByAddr(ulong addr)
    {
        if (_hint is not null && _hint.Start <= addr && addr < _hint.FreeEnd && _entries.Contains(_hint))
        {
            Visited++;
            return _hint;
        }
        foreach (var entry in _entries)
        {
            Visited++;
            if (entry.Start > addr)
                return null;
            if (addr < entry.FreeEnd)
                return _hint = entry;
        }
        return null;
    }

    /// <summary>The first entry at or after <paramref name="addr"/> that a range starting there can touch.</summary>
    public MapEntry? FirstFrom(ulong addr)
    {
        var entry = EntryByAddr(addr);
        if (entry is null)
            return First;
        return entry.End <= addr ? Next(entry) : entry;
    }

    /// <summary>
    /// uvm_map_lookup_entry: TRUE only when <paramref name="addr"/> lies in a mapped, non-HOLE entry.
    /// </summary>
    public bool LookupEntry(ulong addr, out MapEntry? entry)
    {
        entry = EntryByAddr(addr);
        return entry is not null && !entry.IsHole && entry.Start <= addr && addr < entry.End;
    }

    /// <summary>Free space from <paramref name="addr"/> to the first entry (the implicit free-only entry at min).</summary>
    public ulong LeadingFree => (First?.Start ?? Max) - Min;

    public void InsertAfter(MapEntry? before, MapEntry entry) =>
        _entries.Insert(before is null ? 0 : IndexOf(before) + 1, entry);

    public void Remove(MapEntry entry)
    {
        _entries.RemoveAt(IndexOf(entry));
        if (ReferenceEquals(_hint, entry))
            _hint = null;
    }

    public Amap NewAmap(int slots) => new(Pool.NextAmap++, slots);

    public Anon NewAnon() => new(Pool.NextAnon++);

    /// <summary>The amaps and anons one <see cref="Walk"/> has reported, kept between walks for their storage.</summary>
    private readonly List<Amap> _walkedAmaps = [];
    private readonly List<Anon> _walkedAnons = [];

    /// <summary>Every fact of the observation, entries in address order.</summary>
    public void Walk(IMapObserver observer)
    {
        foreach (var entry in _entries)
            observer.Entry(entry.Facts());
        WalkAmaps(observer);
        foreach (var ((obj, offset), wired) in ObjectPages)
            observer.ObjectPage(obj, offset, wired);
        for (int obj = 1; obj <= MapConst.Objects; obj++)
            observer.Object(obj, ObjectRefs[obj]);
        observer.Size(Size);
    }

    /// <summary>
    /// The part of <see cref="Walk"/> that another map's routines can change too, once a fork has shared
    /// amaps and anons between maps: the amaps the entries reference, with their slots, then their anons.
    /// </summary>
    public void WalkAmaps(IMapObserver observer)
    {
        var amaps = _walkedAmaps;
        amaps.Clear();
        foreach (var entry in _entries)
        {
            if (entry.Amap is { } amap && !amaps.Contains(amap))
                amaps.Add(amap);
        }
        var anons = _walkedAnons;
        anons.Clear();
        foreach (var amap in amaps)
        {
            observer.Amap(amap.Id, amap.Slots.Length, amap.Refs, amap.Shared);
            for (int slot = 0; slot < amap.Slots.Length; slot++)
            {
                if (amap.Slots[slot] is { } anon)
                {
                    observer.AnonSlot(amap.Id, slot, anon.Id);
                    if (!anons.Contains(anon))
                        anons.Add(anon);
                }
            }
        }
        foreach (var anon in anons)
            observer.Anon(anon.Id, anon.Refs, anon.Wired);
    }
}
