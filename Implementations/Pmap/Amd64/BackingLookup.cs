using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

/// <summary>
/// Seed 003's page → mappings service, provided by the kernel: where a physical page is mapped, found
/// from the maps' entries and the backing they reference rather than from anything the pmap keeps.
/// </summary>
public interface IReverseLookup
{
    /// <summary>Adds to <paramref name="into"/> every (pmap, va) at which some map entry maps <paramref name="page"/>.</summary>
    void MappingsOf(int page, List<(int Pmap, ulong Va)> into);
}

/// <summary>
/// Seed 003 (DragonFly's vm_map_backing replacing pv_entry): no per-mapping record. pmap_enter and
/// pmap_remove do no list work; a page operation asks the kernel where the page is mapped
/// (<see cref="IReverseLookup"/>) and keeps the places whose PTE really maps the page, since an entry
/// maps its backing's pages whether or not each was faulted in there. The observation's Pv facts come
/// from the page tables: one per valid managed PTE, so they still mean "this page is mapped at (pmap, va)".
/// </summary>
public sealed class BackingLookup(IReverseLookup maps) : PageTracking
{
    private readonly List<(int Pmap, ulong Va)> _candidates = [];
    private readonly List<PageMapping>[] _byPage = NewLists();

    private static List<PageMapping>[] NewLists()
    {
        var lists = new List<PageMapping>[PmapWorld.Pages];
        for (int page = 0; page < lists.Length; page++)
            lists[page] = [];
        return lists;
    }

    public override void Reset() { }

    public override void Entered(int page, int pmap, ulong va, Ptp ptp) { }

    public override void Removed(int page, int pmap, ulong va) { }

    public override List<PageMapping> Find(Amd64Pmap owner, int page)
    {
        _candidates.Clear();
        maps.MappingsOf(page, _candidates);
        Found.Clear();
        foreach (var (pmap, va) in _candidates)
        {
            if (!owner.IsAlive(pmap) || owner.PdesValid(pmap, va) is not { } ptp)
                continue;
            ulong pte = ptp.Entries[Pte.Index(va, 1)];
            if ((pte & Pte.V) != 0 && (pte & Pte.PvList) != 0 && Amd64Pmap.PageOfPte(pte) == page)
                Found.Add(new PageMapping(pmap, va, ptp));
        }
        return Found;
    }

    /// <summary>The tables are read once per observation (at page 0) and the page's valid PTEs handed out.</summary>
    public override List<PageMapping> Observed(Amd64Pmap owner, int page)
    {
        if (page == 0)
        {
            foreach (var list in _byPage)
                list.Clear();
            owner.CollectMappings(_byPage);
        }
        return _byPage[page];
    }

    public override string? Check(Amd64Pmap owner) => null;

    /// <summary>
    /// Seed 003's own invariant: the reverse lookup reaches every valid managed PTE, so a page operation
    /// would find it. (The lookups run here are counted like any other; the benchmark runs no checks.)
    /// </summary>
    public override string? CheckAll(Amd64Pmap owner, int validPtes)
    {
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            var mapped = Observed(owner, page);
            if (mapped.Count == 0)
                continue;
            var found = Find(owner, page);
            foreach (var mapping in mapped)
            {
                if (!found.Contains(mapping))
                    return $"page {page} is mapped at pmap {mapping.Pmap} va 0x{mapping.Va:x}, but the reverse lookup does not reach it";
            }
        }
        return null;
    }
}
