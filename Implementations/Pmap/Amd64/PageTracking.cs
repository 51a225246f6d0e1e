using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

/// <summary>One mapping of a managed page: its pmap, its va and the PTP that holds its PTE.</summary>
public readonly record struct PageMapping(int Pmap, ulong Va, Ptp Ptp);

/// <summary>
/// How an amd64 pmap answers "where is this page mapped": pmap.c's PV lists (<see cref="PvLists"/>), or
/// seed 003's reverse lookup through the maps that keeps nothing per mapping (<see cref="BackingLookup"/>).
/// The pmap tells it of every managed PTE it makes and zaps, and asks it for a page's mappings in
/// pmap_page_protect, pmap_clear_attrs and pmap_test_attrs.
/// </summary>
public abstract class PageTracking
{
    /// <summary>The buffer <see cref="Find"/> and <see cref="Observed"/> fill; reused by the next call.</summary>
    protected readonly List<PageMapping> Found = [];

    public abstract void Reset();

    /// <summary>pmap_enter_pv: a managed PTE of <paramref name="page"/> now maps (pmap, va).</summary>
    public abstract void Entered(int page, int pmap, ulong va, Ptp ptp);

    /// <summary>pmap_remove_pv: the PTE of (pmap, va) no longer maps <paramref name="page"/>.</summary>
    public abstract void Removed(int page, int pmap, ulong va);

    /// <summary>The page's mappings for a page operation, in the order the operation visits them.</summary>
    public abstract List<PageMapping> Find(Amd64Pmap owner, int page);

    /// <summary>The page's mappings as the observation reports them (its Pv facts).</summary>
    public abstract List<PageMapping> Observed(Amd64Pmap owner, int page);

    /// <summary>The tracking's own invariants on every step: null or the first violation.</summary>
    public abstract string? Check(Amd64Pmap owner);

    /// <summary>The full check: the tracking accounts for exactly the <paramref name="validPtes"/> valid PTEs.</summary>
    public abstract string? CheckAll(Amd64Pmap owner, int validPtes);
}

/// <summary>
/// pmap.c's PV lists: a pv_entry {next, pmap, va, ptp} per mapping, pushed at the head of the page's
/// list by pmap_enter and unlinked by pmap_remove_pv. Counts the entries it allocates and visits.
/// </summary>
public sealed class PvLists : PageTracking
{
    private readonly PvEntry?[] _pv = new PvEntry?[PmapWorld.Pages];
    private readonly Stack<PvEntry> _freePv = new();

    /// <summary>PV entries taken from the pool (one per pmap_enter of a new mapping).</summary>
    public long Allocated;

    /// <summary>PV entries stepped onto by list walks and unlinks.</summary>
    public long Visited;

    public override void Reset()
    {
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            for (var pve = _pv[page]; pve is not null; pve = pve.Next)
                _freePv.Push(pve);
            _pv[page] = null;
        }
        Allocated = Visited = 0;
    }

    public override void Entered(int page, int pmap, ulong va, Ptp ptp)
    {
        var pve = _freePv.Count > 0 ? _freePv.Pop() : new PvEntry();
        pve.Pmap = pmap;
        pve.Va = va;
        pve.Ptp = ptp;
        pve.Next = _pv[page];
        _pv[page] = pve;
        Allocated++;
    }

    public override void Removed(int page, int pmap, ulong va)
    {
        PvEntry? prev = null;
        for (var pve = _pv[page]; pve is not null; prev = pve, pve = pve.Next)
        {
            Visited++;
            if (pve.Pmap == pmap && pve.Va == va)
            {
                if (prev is null)
                    _pv[page] = pve.Next;
                else
                    prev.Next = pve.Next;
                _freePv.Push(pve);
                return;
            }
        }
        throw new KernelPanic($"pmap_remove_pv: no PV entry for pmap {pmap} va 0x{va:x}");
    }

    public override List<PageMapping> Find(Amd64Pmap owner, int page)
    {
        Found.Clear();
        for (var pve = _pv[page]; pve is not null; pve = pve.Next)
        {
            Visited++;
            Found.Add(new PageMapping(pve.Pmap, pve.Va, pve.Ptp!));
        }
        return Found;
    }

    public override List<PageMapping> Observed(Amd64Pmap owner, int page)
    {
        Found.Clear();
        for (var pve = _pv[page]; pve is not null; pve = pve.Next)
            Found.Add(new PageMapping(pve.Pmap, pve.Va, pve.Ptp!));
        return Found;
    }

    /// <summary>Every PV entry names a live pmap and a valid PTE of its page with PG_PVLIST in a live PTP of that pmap.</summary>
    public override string? Check(Amd64Pmap owner)
    {
        for (int page = 0; page < _pv.Length; page++)
        {
            for (var pve = _pv[page]; pve is not null; pve = pve.Next)
            {
                if (!owner.IsAlive(pve.Pmap))
                    return $"page {page}'s PV entry names dead pmap {pve.Pmap} (va 0x{pve.Va:x})";
                if (pve.Ptp is not { Free: false } ptp || ptp.Pmap != pve.Pmap || ptp.Level != 1)
                    return $"page {page}'s PV entry for pmap {pve.Pmap} va 0x{pve.Va:x} names a freed or foreign PTP";
                ulong pte = ptp.Entries[Pte.Index(pve.Va, 1)];
                if ((pte & Pte.V) == 0 || (pte & Pte.PvList) == 0 || Amd64Pmap.PageOfPte(pte) != page)
                    return $"page {page}'s PV entry for pmap {pve.Pmap} va 0x{pve.Va:x} has PTE 0x{pte:x}";
            }
        }
        return null;
    }

    public override string? CheckAll(Amd64Pmap owner, int validPtes)
    {
        int count = 0;
        foreach (var head in _pv)
        {
            for (var pve = head; pve is not null; pve = pve.Next)
                count++;
        }
        return validPtes == count ? null : $"{validPtes} valid PTEs but {count} PV entries";
    }
}
