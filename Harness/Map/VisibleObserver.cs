using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// The process-visible observation, built from the same walk as the entry-level one: what a process
/// sees through procmap, mincore and its own loads and stores. Entries become ranges of address space
/// with their protection, maximum protection, inheritance, advice and backing (object and offset,
/// copy-on-write, stack, hole, immutable), and adjacent ranges that agree on all of it (offsets
/// contiguous) are merged, so where a map was clipped does not show; amaps, NEEDSCOPY and object
/// reference counts do not show either. Contents show page by page: the anon at each address with its
/// references, and the resident object pages.
/// Wiring is left out: mlock re-wires an already-wired first entry whole (a kernel quirk the model
/// mirrors), so which pages gain a wire depends on where entries were clipped, and chunking clips
/// (MapUnchunkedFindings shows the four ops). Wiring is compared entry by entry on the entry level.
/// </summary>
public sealed class VisibleObserver : IMapObserver
{
    private readonly List<EntryFacts> _entries = [];
    private readonly Dictionary<(int Amap, int Slot), int> _slots = [];
    private readonly Dictionary<int, int> _anons = [];
    private readonly List<string> _pages = [];
    private ulong _size;

    public void Begin()
    {
        _entries.Clear();
        _slots.Clear();
        _anons.Clear();
        _pages.Clear();
        _size = 0;
    }

    public void Entry(in EntryFacts entry) => _entries.Add(entry);

    public void Amap(int id, int slots, int refs, bool shared) { }

    public void AnonSlot(int amap, int slot, int anon) => _slots[(amap, slot)] = anon;

    public void Anon(int id, int refs, int wired) => _anons[id] = refs;

    public void ObjectPage(int obj, ulong offset, int wired) => _pages.Add($"page obj {obj}@0x{offset:x}");

    public void Object(int obj, int refs) { }

    public void Size(ulong size) => _size = size;

    private const EType Shown = EType.Obj | EType.CopyOnWrite | EType.Hole | EType.Stack | EType.Immutable;

    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        var anons = new List<string>();
        _entries.Sort((a, b) => a.Start.CompareTo(b.Start));
        EntryFacts? run = null;
        foreach (var e in _entries)
        {
            var visible = e with { EType = e.EType & Shown, AmapId = 0, PageOff = 0, FreeSpace = 0, WiredCount = 0 };
            if (run is { } r && r.End == visible.Start && Continues(r, visible))
                run = r with { End = visible.End };
            else
            {
                if (run is { } done)
                    lines.Add(done.Render());
                run = visible;
            }
            if (e.AmapId == 0)
                continue;
            for (int page = 0; page < (int)((e.End - e.Start) >> MapConst.PageShift); page++)
            {
                if (_slots.TryGetValue((e.AmapId, e.PageOff + page), out int anon))
                {
                    ulong va = e.Start + ((ulong)page << MapConst.PageShift);
                    anons.Add($"va 0x{va:x} anon {anon} refs {_anons[anon]}");
                }
            }
        }
        if (run is { } last)
            lines.Add(last.Render());
        lines.AddRange(anons);
        _pages.Sort(StringComparer.Ordinal);
        lines.AddRange(_pages);
        lines.Add($"size 0x{_size:x}");
        return lines;
    }

    /// <summary>The hash of the lines: the visible level's fingerprint.</summary>
    public ulong Fingerprint()
    {
        ulong sum = 0;
        foreach (var line in Lines())
            sum += FactHash.Mix((ulong)FactHash.OfText(line));
        return sum;
    }

    private static bool Continues(EntryFacts run, EntryFacts next) =>
        run with { Start = 0, End = 0, Offset = 0 } == next with { Start = 0, End = 0, Offset = 0 }
        && (run.Obj == 0 || run.Offset + (run.End - run.Start) == next.Offset);
}
