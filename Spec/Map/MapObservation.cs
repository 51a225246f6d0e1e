using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>
/// The entry-level observation of a map, as every side reports it: each entry with all its fields, each
/// amap and anon reachable from the entries, the object pages and references, and the map size. Sides
/// walk their own structures and call this in any order; <see cref="MapFacts"/> hashes the same facts
/// for the fingerprints. Amap and anon ids are allocation numbers, equal on sides that allocate in the
/// same order (every side follows the kernel's control flow).
/// </summary>
public interface IMapObserver
{
    void Entry(in EntryFacts entry);

    /// <summary>An amap with its am_ref; <paramref name="shared"/> is AMAP_SHARED (set by a fork that shares it).</summary>
    void Amap(int id, int slots, int refs, bool shared);

    /// <summary>Slot <paramref name="slot"/> of amap <paramref name="amap"/> holds anon <paramref name="anon"/>.</summary>
    void AnonSlot(int amap, int slot, int anon);

    void Anon(int id, int refs, int wired);

    void ObjectPage(int obj, ulong offset, int wired);

    void Object(int obj, int refs);

    void Size(ulong size);
}

/// <summary>Every field of one vm_map_entry that the observation shows.</summary>
public readonly record struct EntryFacts(
    ulong Start,
    ulong End,
    ulong FreeSpace,
    Prot Protection,
    Prot MaxProtection,
    Inherit Inheritance,
    Advice Advice,
    int WiredCount,
    EType EType,
    int Obj,
    ulong Offset,
    int AmapId,
    int PageOff
)
{
    public string Render() =>
        $"0x{Start:x}-0x{End:x} {MapConst.Format(Protection)}/{MapConst.Format(MaxProtection)} {Inheritance.ToString().ToLowerInvariant()} {Advice.ToString().ToLowerInvariant()} wired {WiredCount} {MapConst.Format(EType)} free 0x{FreeSpace:x}"
        + (Obj != 0 ? $" obj {Obj}@0x{Offset:x}" : "")
        + (AmapId != 0 ? $" amap {AmapId}@{PageOff}" : "");
}

/// <summary>The fact hashes of <see cref="IMapObserver"/>'s facts: a fingerprint is their wrapping sum.</summary>
public static class MapFacts
{
    public static ulong Entry(in EntryFacts e)
    {
        long packed =
            (long)e.Protection
            | (long)e.MaxProtection << 4
            | (long)e.Inheritance << 8
            | (long)e.Advice << 12
            | (long)e.EType << 16
            | (long)e.WiredCount << 32;
        ulong first = FactHash.Of(1, (long)e.Start, (long)e.End, (long)e.FreeSpace, packed);
        return FactHash.Of(2, (long)first, e.Obj, (long)e.Offset, e.AmapId, e.PageOff);
    }

    public static ulong Amap(int id, int slots, int refs, bool shared) =>
        shared ? FactHash.Of(9, id, slots, refs) : FactHash.Of(3, id, slots, refs);

    public static ulong AnonSlot(int amap, int slot, int anon) => FactHash.Of(4, amap, slot, anon);

    public static ulong Anon(int id, int refs, int wired) => FactHash.Of(5, id, refs, wired);

    public static ulong ObjectPage(int obj, ulong offset, int wired) => FactHash.Of(6, obj, (long)offset, wired);

    public static ulong Object(int obj, int refs) => FactHash.Of(7, obj, refs);

    public static ulong Size(ulong size) => FactHash.Of(8, (long)size);
}

/// <summary>Sums the facts of one walk: the full-walk fingerprint.</summary>
public sealed class MapFactSum : IMapObserver
{
    public ulong Sum { get; private set; }

    public void Begin() => Sum = 0;

    public void Entry(in EntryFacts entry) => Sum += MapFacts.Entry(entry);

    public void Amap(int id, int slots, int refs, bool shared) => Sum += MapFacts.Amap(id, slots, refs, shared);

    public void AnonSlot(int amap, int slot, int anon) => Sum += MapFacts.AnonSlot(amap, slot, anon);

    public void Anon(int id, int refs, int wired) => Sum += MapFacts.Anon(id, refs, wired);

    public void ObjectPage(int obj, ulong offset, int wired) => Sum += MapFacts.ObjectPage(obj, offset, wired);

    public void Object(int obj, int refs) => Sum += MapFacts.Object(obj, refs);

    public void Size(ulong size) => Sum += MapFacts.Size(size);
}

/// <summary>Renders one walk as sorted text lines: entries by address, then amaps, anons, objects.</summary>
public sealed class MapTextObserver : IMapObserver
{
    private readonly List<(ulong, string)> _entries = [];
    private readonly List<(long, string)> _rest = [];

    public void Entry(in EntryFacts entry) => _entries.Add((entry.Start, entry.Render()));

    public void Amap(int id, int slots, int refs, bool shared) =>
        _rest.Add(((1L << 40) | (long)id << 20, $"amap {id} slots {slots} refs {refs}{(shared ? " shared" : "")}"));

    public void AnonSlot(int amap, int slot, int anon) =>
        _rest.Add(((1L << 40) | (long)amap << 20 | (long)slot + 1, $"  slot {slot} anon {anon}"));

    public void Anon(int id, int refs, int wired) =>
        _rest.Add(((2L << 40) | (long)id, $"anon {id} refs {refs} wired {wired}"));

    public void ObjectPage(int obj, ulong offset, int wired) =>
        _rest.Add(
            (
                (3L << 40) | (long)obj << 32 | (long)(offset >> MapConst.PageShift),
                $"page obj {obj}@0x{offset:x} wired {wired}"
            )
        );

    public void Object(int obj, int refs) => _rest.Add(((4L << 40) | (long)obj, $"obj {obj} refs {refs}"));

    public void Size(ulong size) => _rest.Add(((5L << 40), $"size 0x{size:x}"));

    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>(_entries.Count + _rest.Count);
        foreach (var (_, text) in _entries.OrderBy(e => e.Item1))
            lines.Add(text);
        foreach (var (_, text) in _rest.OrderBy(e => e.Item1))
            lines.Add(text);
        return lines;
    }
}
