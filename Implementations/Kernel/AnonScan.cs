using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using MapProt = UvmDiff.Spec.Map.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>One anonymous page a map maps: its address, anon, and what its entry says.</summary>
public struct MappedPage
{
    public ulong Va;
    public int Anon;
    public MapProt Protection;
    public bool EntryWired;

    /// <summary>The entry's amap, and whether it is AMAP_SHARED.</summary>
    public int AmapId;
    public bool AmapShared;

    /// <summary>The entry's file object, 0 for anonymous memory: an anon there was promoted from the file.</summary>
    public int Obj;
}

/// <summary>
/// A process's map read through one walk of its observation into flat arrays: the entries, and every
/// page that has an anon with its entry's protection, wiring and amap, in address order; anon references
/// and wire counts by id.
/// Reused across ops: Load clears and refills without allocating once warm.
/// </summary>
public sealed class AnonScan : IMapObserver
{
    public readonly List<EntryFacts> Entries = [];
    public MappedPage[] Pages = new MappedPage[64];
    public int Count;

    /// <summary>Every (amap, slot) → anon the walk reported, by key; sorted after the walk, so an entry's pages are one run.</summary>
    private readonly List<(long Key, int Anon)> _slots = [];
    private readonly Dictionary<int, bool> _shared = [];
    private int[] _wired = new int[64];
    private int[] _refs = new int[64];
    private bool[] _present = new bool[64];

    public void Load(IVmMapMachine map)
    {
        Entries.Clear();
        _slots.Clear();
        _shared.Clear();
        Array.Clear(_present);
        Count = 0;
        map.Walk(this);
        Entries.Sort((a, b) => a.Start.CompareTo(b.Start));
        _slots.Sort();
        foreach (var entry in Entries)
        {
            if (entry.AmapId == 0)
                continue;
            int pages = (int)((entry.End - entry.Start) >> MapConst.PageShift);
            int i = FirstAtOrAfter(Key(entry.AmapId, entry.PageOff));
            for (; i < _slots.Count && _slots[i].Key < Key(entry.AmapId, entry.PageOff + pages); i++)
            {
                if (Count == Pages.Length)
                    Array.Resize(ref Pages, Count * 2);
                Pages[Count++] = new MappedPage
                {
                    Va = entry.Start + ((ulong)((int)_slots[i].Key - entry.PageOff) << MapConst.PageShift),
                    Anon = _slots[i].Anon,
                    Protection = entry.Protection,
                    EntryWired = entry.WiredCount > 0,
                    AmapId = entry.AmapId,
                    AmapShared = _shared[entry.AmapId],

                    Obj = entry.Obj,
                };
            }
        }
    }

    /// <summary>=> the index of the first slot fact at or after <paramref name="key"/> in the sorted <see cref="_slots"/></summary>
    private int FirstAtOrAfter(long key)
    {
        int lo = 0,
            hi = _slots.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_slots[mid].Key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private static long Key(int amap, int slot) => (long)amap << 32 | (uint)slot;

    /// <summary>=> the index in <see cref="Pages"/> of the page at <paramref name="va"/>, or -1</summary>
    public int IndexOf(ulong va)
    {
        int lo = 0,
            hi = Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Pages[mid].Va == va)
                return mid;
            if (Pages[mid].Va < va)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return -1;
    }

    public bool HoldsAnon(int anon) => anon < _present.Length && _present[anon];

    public int WiredOf(int anon) => HoldsAnon(anon) ? _wired[anon] : 0;

    public int RefsOf(int anon) => HoldsAnon(anon) ? _refs[anon] : 0;

    public void Entry(in EntryFacts entry) => Entries.Add(entry);

    public void Amap(int id, int slots, int refs, bool shared) => _shared[id] = shared;

    public void AnonSlot(int amap, int slot, int anon) => _slots.Add((Key(amap, slot), anon));

    public void Anon(int id, int refs, int wired)
    {
        if (id >= _present.Length)
        {
            int size = Math.Max(id + 1, _present.Length * 2);
            Array.Resize(ref _present, size);
            Array.Resize(ref _wired, size);
            Array.Resize(ref _refs, size);
        }
        _present[id] = true;
        _wired[id] = wired;
        _refs[id] = refs;
    }

    public void ObjectPage(int obj, ulong offset, int wired) { }

    /// <summary>uo_refs of each file object as the map counts them: one for the file, one per entry.</summary>
    public readonly int[] ObjectRefs = new int[MapConst.Objects + 1];

    public void Object(int obj, int refs) => ObjectRefs[obj] = refs;

    public void Size(ulong size) { }
}

/// <summary>The wire count of every physical page, from one walk of the pmap.</summary>
public sealed class WireScan : IPmapFactSink
{
    public readonly int[] Wired = new int[PmapWorld.Pages];

    public void Reset() => Array.Clear(Wired);

    public void Cpu(int cpu, int pmap) { }

    public void Pmap(int pmap, bool alive, int mapped, int wired) { }

    public void Mapping(int pmap, ulong va, int page, Spec.Pmap.Prot grants, bool wired) { }

    public void Page(int page, bool referenced, bool modified, int wireCount) => Wired[page] = wireCount;

    public void Pv(int page, int pmap, ulong va) { }
}
