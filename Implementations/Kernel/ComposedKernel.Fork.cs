using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>fork, minherit, exit's teardown, and copy-on-write of a shared anon in the pmaps.</summary>
public sealed partial class ComposedKernel
{
    /// <summary>A fork has run since the last reset: anons may be shared, so faults compare before and after.</summary>
    private bool _forked;

    private readonly bool _forkSkipsProtect;

    /// <summary>uvmspace_fork, pmap_create, the parent's COPY entries write-protected, cow_now pages allocated.</summary>
    public string? Fork(int parent, int child)
    {
        if (!_alive[parent])
            return "ESRCH";
        if (_alive[child])
            return "EBUSY";
        _before.Load(_maps[parent]);
        _maps[parent].Fork(_maps[child]);
        _pmap.Exec(child);
        _alive[child] = true;
        _forked = true;
        foreach (var entry in _before.Entries)
        {
            if (
                entry.Inheritance == Inherit.Copy
                && entry.AmapId != 0
                && entry.WiredCount == 0
                && (entry.EType & EType.NeedsCopy) == 0
                && (entry.MaxProtection & MapProt.W) != 0
            )
            {
                Probes[KernelProbes.ForkProtect]++;
                if (!_forkSkipsProtect)
                    _pmap.Protect(parent, entry.Start, entry.End, (PmapProt)(entry.Protection & ~MapProt.W));
            }
        }
        _scan.Load(_maps[child]);
        CountEntryRefs(child);
        for (int i = 0; i < _scan.Count; i++)
        {
            if (PageFor(_scan.Pages[i].Anon) == NoPage)
                return KernelWorld.OutOfPages;
        }
        return null;
    }

    public string? Minherit(int pid, ulong addr, ulong size, Inherit inheritance) =>
        _alive[pid] ? _maps[pid].SetInherit(addr, addr + size, inheritance) : "ESRCH";

    /// <summary>uvm_fault_upper's enter protection: no PROT_WRITE while the anon has other references.</summary>
    private MapProt EnterProt(in MappedPage page) => EnterProt(page, _scan.RefsOf(page.Anon));

    private static MapProt EnterProt(in MappedPage page, int refs) =>
        refs > 1 ? page.Protection & ~MapProt.W : page.Protection;

    /// <summary>
    /// amap_add(replace) in an AMAP_SHARED amap: the anon <see cref="_before"/> had at the page's address in
    /// the same amap, replaced by a promote, loses every mapping of its page.
    /// </summary>
    private void ProtectReplaced(in MappedPage now)
    {
        int at = _before.IndexOf(now.Va);
        if (at >= 0)
            ProtectReplaced(_before.Pages[at], now);
    }

    /// <summary>As above, from the page <paramref name="old"/> the map had at the address before the routine ran.</summary>
    private void ProtectReplaced(in MappedPage old, in MappedPage now)
    {
        if (old.AmapShared && old.AmapId == now.AmapId && old.Anon != now.Anon && _pageOfAnon[old.Anon] != NoPage)
        {
            _replacingAnon = now.Anon;
            _pmap.PageProtect(_pageOfAnon[old.Anon], PmapProt.None);
            _replacingAnon = NoAnon;
        }
    }

    /// <summary>
    /// The promote's new anon while amap_add(replace) protects the old page: the kernel calls
    /// pmap_page_protect before it stores the new anon in the slot, so a reverse lookup then still finds
    /// the old anon there; the map here has already stored the new one.
    /// </summary>
    private int _replacingAnon = NoAnon;

    public int ReplacingAnon => _replacingAnon;
}
