using UvmDiff.Spec.Map;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

public sealed partial class ReferenceKernel
{
    /// <summary>
    /// sys_madvise(MADV_DONTNEED): uvm_map_clean(map, addr, addr + size, PGO_DEACTIVATE) (uvm_map.c 1.346).
    /// => ESRCH for a dead process; EINVAL when the range leaves the map's [min, max]
    /// => nothing, and no error, when no entry's [start, free end) holds addr (uvm_map_entrybyaddr is NULL)
    /// => EFAULT, with nothing done, when an entry of the range is a hole, or ends before the range does
    ///    with free space after it (the first pass)
    /// => each anon of the range in an entry's amap whose page is resident and not wired is deactivated
    ///    (uvm_pagedeactivate: pmap_page_protect(NONE), then pmap_clear_reference); no error
    /// The clear runs only for a page not already inactive, but an inactive page has no mapping (the
    /// protect removed them, and every access since would have faulted and reactivated it) and no
    /// reference, so clearing it again changes nothing: the page queues are left out.
    /// </summary>
    public string? MadviseDontNeed(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        ulong end = addr + size;
        if (addr > end || addr < MapConst.MinAddress || end > MapConst.MaxAddress)
            return "EINVAL";
        var view = MapView.Of(_maps[pid]);
        var inRange = new List<EntryFacts>();
        bool started = false;
        foreach (var entry in view.Entries)
        {
            started |= entry.Start <= addr && addr < entry.End + entry.FreeSpace;
            if (started && entry.Start < end)
                inRange.Add(entry);
        }
        foreach (var entry in inRange)
        {
            if (IsHole(entry) || (entry.End < end && entry.FreeSpace != 0))
                return "EFAULT";
        }
        var wires = new PageWires();
        _pmap.Walk(wires);
        foreach (var entry in inRange)
        {
            for (ulong va = Math.Max(entry.Start, addr); va < Math.Min(entry.End, end); va += MapConst.PageSize)
            {
                int anon = view.AnonAt(entry, va);
                int page = anon == 0 ? -1 : PageOf(pid, anon);
                if (page < 0 || wires.Count[page] != 0)
                    continue;
                _pmap.PageProtect(page, PmapProt.None);
                _pmap.ClearReference(page);
            }
        }
        return null;
    }
}
