using UvmDiff.Spec.Map;
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

    /// <summary>
    /// Every (amap, slot) → anon the walk reported, by key, each amap's slots one run in slot order, so an
    /// entry's pages are one run in it. The tree maps report an amap's slots right after the amap, in slot
    /// order (the observer's contract allows any order: a walk in another one is refused loudly).
    /// </summary>
    private readonly List<(long Key, int Anon)> _slots = [];

    /// <summary>By amap id: where its run of <see cref="_slots"/> starts and ends, and whether it is AMAP_SHARED.</summary>
    private (int Start, int End, bool Shared)[] _amaps = new (int, int, bool)[64];

    /// <summary>The amap whose slots the walk is reporting, 0 for none.</summary>
    private int _open;

    private int[] _wired = new int[64];
    private int[] _refs = new int[64];
    private bool[] _present = new bool[64];

    /// <summary>No entries, pages, slots or anons, as before a walk.</summary>
    public void Clear()
    {
        Entries.Clear();
        _slots.Clear();
        Array.Clear(_present);
        Count = 0;
        _open = 0;
    }

    public void Load(IVmMapMachine map)
    {
        Clear();
        map.Walk(this);
        if (!InAddressOrder(Entries))
            Entries.Sort((a, b) => a.Start.CompareTo(b.Start));
        foreach (var entry in Entries)
        {
            if (entry.AmapId == 0)
                continue;
            ref var run = ref _amaps[entry.AmapId];
            int pages = (int)((entry.End - entry.Start) >> MapConst.PageShift);
            long end = Key(entry.AmapId, entry.PageOff + pages);
            for (int i = FirstAtOrAfter(run.Start, run.End, Key(entry.AmapId, entry.PageOff)); i < run.End; i++)
            {
                var (key, anon) = _slots[i];
                if (key >= end)
                    break;
                if (Count == Pages.Length)
                    Array.Resize(ref Pages, Count * 2);
                Pages[Count++] = new MappedPage
                {
                    Va = entry.Start + ((ulong)((int)key - entry.PageOff) << MapConst.PageShift),
                    Anon = anon,
                    Protection = entry.Protection,
                    EntryWired = entry.WiredCount > 0,
                    AmapId = entry.AmapId,
                    AmapShared = run.Shared,
                    Obj = entry.Obj,
                };
            }
        }
    }

    private static bool InAddressOrder(List<EntryFacts> entries)
    {
        for (int i = 1; i < entries.Count; i++)
        {
            if (entries[i - 1].Start > entries[i].Start)
                return false;
        }
        return true;
    }

    /// <summary>=> the index of the first slot fact at or after <paramref name="key"/> in the sorted run [<paramref name="lo"/>, <paramref name="hi"/>) of <see cref="_slots"/></summary>
    private int FirstAtOrAfter(int lo, int hi, long key)
    {
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

    public void Amap(int id, int slots, int refs, bool shared)
    {
        if (id >= _amaps.Length)
            Array.Resize(ref _amaps, Math.Max(id + 1, _amaps.Length * 2));
        _amaps[id] = (_slots.Count, _slots.Count, shared);
        _open = id;
    }

    public void AnonSlot(int amap, int slot, int anon)
    {
        long key = Key(amap, slot);
        ref var run = ref _amaps[_open];
        if (amap != _open || (run.End > run.Start && _slots[run.End - 1].Key >= key))
            throw new InvalidOperationException(
                $"AnonScan: amap {amap} slot {slot} reported outside its amap's run in slot order"
            );
        _slots.Add((key, anon));
        run.End = _slots.Count;
    }

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

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }
}
