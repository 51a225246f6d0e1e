using UvmDiff.Spec.Map;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

public sealed partial class ComposedKernel
{
    /// <summary>
    /// uvm_map_clean(PGO_DEACTIVATE) for madvise(MADV_DONTNEED): the first pass over the entries from
    /// uvm_map_entrybyaddr(addr) for holes and gaps, then uvm_pagedeactivate of each resident, unwired
    /// page the range's amaps hold (pmap_page_protect(NONE), pmap_clear_reference).
    /// </summary>
    public string? MadviseDontNeed(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        ulong end = addr + size;
        if (addr > end || addr < MapConst.MinAddress || end > MapConst.MaxAddress)
            return "EINVAL";
        _scan.Load(_maps[pid]);
        var entries = _scan.Entries;
        int first = 0;
        while (first < entries.Count && entries[first].End + entries[first].FreeSpace <= addr)
            first++;
        if (first == entries.Count || entries[first].Start > addr)
            return null;
        for (int i = first; i < entries.Count && entries[i].Start < end; i++)
        {
            var entry = entries[i];
            if ((entry.EType & EType.Hole) != 0 || (entry.End < end && entry.FreeSpace != 0))
                return "EFAULT";
        }
        _wires.Reset();
        _pmap.Walk(_wires);
        for (int i = 0; i < _scan.Count; i++)
        {
            ref var mapped = ref _scan.Pages[i];
            if (mapped.Va < addr || mapped.Va >= end)
                continue;
            int page = PageOfAnon(pid, mapped.Anon);
            if (page == NoPage || _wires.Wired[page] != 0)
                continue;
            _pmap.PageProtect(page, PmapProt.None);
            _pmap.ClearReference(page);
        }
        return null;
    }

    private int PageOfAnon(int pid, int anon) => anon < _pageOfAnon[pid].Length ? _pageOfAnon[pid][anon] : NoPage;

    /// <summary>Anon ids are per process until fork shares anons: only the owner's amaps hold a page's anon.</summary>
    public int AnonIn(int pid, int page) => _ownerPid[page] == pid ? _ownerAnon[page] : 0;
}
