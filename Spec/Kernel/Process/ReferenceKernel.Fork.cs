using UvmDiff.Spec.Map;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>fork and minherit, and what copy-on-write of a shared anon does to the pmaps.</summary>
public sealed partial class ReferenceKernel
{
    /// <summary>
    /// fork1 → uvmspace_fork(parent) for the child in the dead slot <paramref name="child"/>, with its
    /// pmap_create.
    /// => ESRCH for a dead parent, EBUSY for a live child slot
    /// => the map layer's fork (it may panic); then uvm_mapent_forkcopy's pmap_protect(parent, entry,
    ///    protection &amp; ~PROT_WRITE) for every INHERIT_COPY entry of the parent that has an amap, is not
    ///    wired, was not NEEDSCOPY and has WRITE in its max protection
    /// => the anons amap_cow_now gave the child (those of the parent's wired entries) get a page each, a
    ///    copy, in address order; none free: the fork waits for memory forever
    /// </summary>
    public string? Fork(int parent, int child)
    {
        if (!_alive[parent])
            return "ESRCH";
        if (_alive[child])
            return "EBUSY";
        var before = _before.Load(_maps[parent]);
        ForkShares();
        _maps[parent].Fork(_maps[child]);
        _pmap.Exec(child);
        _alive[child] = true;
        foreach (var entry in before.Entries)
        {
            if (
                entry.Inheritance == Inherit.Copy
                && entry.AmapId != 0
                && entry.WiredCount == 0
                && (entry.EType & EType.NeedsCopy) == 0
                && (entry.MaxProtection & MapProt.W) != 0
            )
                _pmap.Protect(parent, entry.Start, entry.End, (PmapProt)(entry.Protection & ~MapProt.W));
        }
        foreach (var (_, anon, _) in _after.Load(_maps[child]).MappedAnons())
        {
            if (PageFor(anon) is { } failed)
                return failed;
        }
        return null;
    }

    /// <summary>From now on the maps' sums are walked together, every map again at the next fingerprint.</summary>
    private void ForkShares()
    {
        _mapsShare = true;
        Array.Fill(_summedAt, -1);
    }

    /// <summary>sys_minherit: uvm_map_inherit on the map; the pmap is not touched. => ESRCH for a dead process</summary>
    public string? Minherit(int pid, ulong addr, ulong size, Inherit inheritance)
    {
        if (!_alive[pid])
            return "ESRCH";
        return _maps[pid].SetInherit(addr, addr + size, inheritance);
    }

    /// <summary>
    /// The protection uvm_fault_upper enters an anon with: the entry's, without PROT_WRITE while the anon has
    /// more than one reference (a read of a shared anon must fault again on a write, to promote it).
    /// </summary>
    private static MapProt EnterProt(MapView view, EntryFacts entry, int anon) =>
        view.Anons[anon].Refs > 1 ? entry.Protection & ~MapProt.W : entry.Protection;

    /// <summary>
    /// amap_add(replace) in an AMAP_SHARED amap: when the fault at <paramref name="va"/> promoted the anon
    /// of a shared amap, the old anon's page loses every mapping (pmap_page_protect(PROT_NONE)), so that
    /// no process sharing the amap keeps using the old page.
    /// </summary>
    private void ProtectReplaced(MapView before, MapView after, ulong va)
    {
        if (before.EntryAt(va) is not { } old || after.EntryAt(va) is not { } now)
            return;
        int oldAnon = before.AnonAt(old, va);
        if (
            oldAnon != 0
            && old.AmapId == now.AmapId
            && before.Shared[old.AmapId]
            && after.AnonAt(now, va) != oldAnon
            && PageOf(oldAnon) is var page and >= 0
        )
            _pmap.PageProtect(page, PmapProt.None);
    }
}
