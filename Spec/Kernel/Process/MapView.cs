using UvmDiff.Spec.Map;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// One process's map as one walk of its observation shows it: the reference kernel reads a map only
/// through the map layer's observation, so it relies on nothing but what every map machine reports.
/// </summary>
public sealed class MapView : IMapObserver
{
    public readonly List<EntryFacts> Entries = [];
    private readonly Dictionary<(int Amap, int Slot), int> _slots = [];
    public readonly Dictionary<int, (int Refs, int Wired)> Anons = [];

    /// <summary>AMAP_SHARED of every amap the entries reach, by amap id.</summary>
    public readonly Dictionary<int, bool> Shared = [];

    public static MapView Of(IVmMapMachine map) => new MapView().Load(map);

    /// <summary>This view refilled from one walk of <paramref name="map"/>, keeping its storage. => this view</summary>
    public MapView Load(IVmMapMachine map)
    {
        Clear();
        map.Walk(this);
        Entries.Sort((a, b) => a.Start.CompareTo(b.Start));
        return this;
    }

    /// <summary>Empty again, keeping its storage, before another walk fills it.</summary>
    public void Clear()
    {
        Entries.Clear();
        _slots.Clear();
        Anons.Clear();
        Shared.Clear();
    }

    public void Entry(in EntryFacts entry) => Entries.Add(entry);

    public void Amap(int id, int slots, int refs, bool shared) => Shared[id] = shared;

    public void AnonSlot(int amap, int slot, int anon) => _slots[(amap, slot)] = anon;

    public void Anon(int id, int refs, int wired) => Anons[id] = (refs, wired);

    public void ObjectPage(int obj, ulong offset, int wired) { }

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }

    /// <summary>=> the entry holding <paramref name="va"/>, or null</summary>
    public EntryFacts? EntryAt(ulong va)
    {
        foreach (var entry in Entries)
        {
            if (entry.Start <= va && va < entry.End)
                return entry;
        }
        return null;
    }

    /// <summary>=> the anon mapped at <paramref name="va"/> through <paramref name="entry"/>'s amap, or 0</summary>
    public int AnonAt(EntryFacts entry, ulong va)
    {
        if (entry.AmapId == 0)
            return 0;
        int slot = entry.PageOff + (int)((va - entry.Start) >> MapConst.PageShift);
        return _slots.TryGetValue((entry.AmapId, slot), out int anon) ? anon : 0;
    }

    /// <summary>Every (va, anon) the entries map, in address order.</summary>
    public IEnumerable<(ulong Va, int Anon, EntryFacts Entry)> MappedAnons()
    {
        foreach (var entry in Entries)
        {
            for (ulong va = entry.Start; va < entry.End; va += MapConst.PageSize)
            {
                int anon = AnonAt(entry, va);
                if (anon != 0)
                    yield return (va, anon, entry);
            }
        }
    }
}

/// <summary>
/// One process's map facts split in two: its own (entries, objects, size) summed in <see cref="Own"/>, and
/// the amaps and anons, which processes share after fork, summed once each however many maps reach them
/// (<see cref="Shared"/>): the kernel fingerprints them once, not per map.
/// </summary>
public sealed class SplitMapSum : IMapObserver
{
    private readonly HashSet<ulong> _seen = [];

    /// <summary>Several maps' walks are summed, which may report the same amap or anon: each is counted once.</summary>
    private bool _acrossMaps;

    public ulong Own;

    public ulong Shared;

    /// <summary>
    /// Start another sum, keeping the storage of the last one. <paramref name="acrossMaps"/> false: one map's
    /// walk alone, which reports each of its amaps and anons once, so none is looked for twice.
    /// </summary>
    public void Begin(bool acrossMaps = true)
    {
        _seen.Clear();
        _acrossMaps = acrossMaps;
        Own = Shared = 0;
    }

    private void Once(ulong fact)
    {
        if (!_acrossMaps || _seen.Add(fact))
            Shared += fact;
    }

    public void Entry(in EntryFacts entry) => Own += MapFacts.Entry(entry);

    public void Amap(int id, int slots, int refs, bool shared) => Once(MapFacts.Amap(id, slots, refs, shared));

    public void AnonSlot(int amap, int slot, int anon) => Once(MapFacts.AnonSlot(amap, slot, anon));

    public void Anon(int id, int refs, int wired) => Once(MapFacts.Anon(id, refs, wired));

    public void ObjectPage(int obj, ulong offset, int wired) => Own += MapFacts.ObjectPage(obj, offset, wired);

    public void Object(int obj, int refs) => Own += MapFacts.Object(obj, refs);

    public void Size(ulong size) => Own += MapFacts.Size(size);
}

/// <summary>The anons the walked maps hold, by id: the walks of several maps add up until <see cref="Clear"/>.</summary>
public sealed class HeldAnons : IMapObserver
{
    public readonly HashSet<int> Anons = [];

    public void Clear() => Anons.Clear();

    public void Entry(in EntryFacts entry) { }

    public void Amap(int id, int slots, int refs, bool shared) { }

    public void AnonSlot(int amap, int slot, int anon) { }

    public void Anon(int id, int refs, int wired) => Anons.Add(id);

    public void ObjectPage(int obj, ulong offset, int wired) { }

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }
}
