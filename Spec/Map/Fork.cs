using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_map.c: uvmspace_fork with uvm_mapent_forkshared, uvm_mapent_forkcopy, uvm_mapent_forkzero,
/// uvm_mapent_share and uvm_mapent_clone. Fork never clips: every amap_copy here passes canchunk FALSE.
/// What fork does to the pmaps (the parent's write protection) is the kernel's, not the map layer's.
/// </summary>
public static class Fork
{
    /// <summary>
    /// uvmspace_fork(parent) into the empty map <paramref name="child"/>, entry by entry in address order.
    /// => panics on a NEEDSCOPY entry that is not COPYONWRITE ("fork: non-copy_on_write map entry marked
    ///    needs_copy"), which a shared anonymous entry made INHERIT_COPY becomes after one fork
    /// => INHERIT_NONE entries are left out; each other entry is cloned at the same addresses with the
    ///    same protections, inheritance and advice, wired_count 0; the child's size counts non-HOLE ones
    /// </summary>
    public static void Run(VmMap parent, VmMap child)
    {
        K.Kassert(child.Entries.Count == 0, "uvmspace_alloc: a new vmspace is empty");
        foreach (var old in parent.Entries.ToList())
        {
            if ((old.EType & (EType.CopyOnWrite | EType.NeedsCopy)) == EType.NeedsCopy)
                throw K.Panic("fork: non-copy_on_write map entry marked needs_copy (illegal)");
            MapEntry entry;
            switch (old.Inheritance)
            {
                case Inherit.Share:
                    entry = Shared(parent, child, old);
                    break;
                case Inherit.Copy:
                    entry = Copied(child, old);
                    break;
                case Inherit.Zero:
                    entry = Zeroed(child, old);
                    break;
                default:
                    continue;
            }
            if (!entry.IsHole)
                child.Size += entry.End - entry.Start;
        }
    }

    /// <summary>
    /// uvm_mapent_forkshared → uvm_mapent_share: a NEEDSCOPY parent entry first gets its own amap
    /// (amap_copy, canchunk FALSE), so that parent and child share it; then the clone takes an
    /// AMAP_SHARED reference.
    /// </summary>
    private static MapEntry Shared(VmMap parent, VmMap child, MapEntry old)
    {
        if ((old.EType & EType.NeedsCopy) != 0)
            Faults.AmapCopy(parent, old, canChunk: false, 0, 0);
        return Clone(child, old, shared: true);
    }

    /// <summary>
    /// uvm_mapent_forkcopy: the clone is COPYONWRITE|NEEDSCOPY.
    /// => the child copies the amap now (amap_copy, canchunk FALSE) when the amap is AMAP_SHARED or the
    ///    parent entry is wired
    /// => a wired parent entry: amap_cow_now gives the child its own copy of every shared anon
    /// => otherwise a parent entry with an amap becomes NEEDSCOPY (the kernel write-protects it in the
    ///    parent's pmap first, when it was not NEEDSCOPY already and its max protection has WRITE)
    /// </summary>
    private static MapEntry Copied(VmMap child, MapEntry old)
    {
        var entry = Clone(child, old, shared: false);
        entry.EType |= EType.CopyOnWrite | EType.NeedsCopy;
        if (old.Amap is { } amap && (amap.Shared || old.IsWired))
            Faults.AmapCopy(child, entry, canChunk: false, 0, 0);
        if (old.IsWired)
        {
            if (old.Amap is not null)
                Faults.CowNow(child, entry);
        }
        else if (old.Amap is not null)
            old.EType |= EType.NeedsCopy;
        return entry;
    }

    /// <summary>
    /// uvm_mapent_forkzero: the clone is COPYONWRITE|NEEDSCOPY and drops the amap (amap_unref) and the
    /// object (pgo_detach, UVM_ET_OBJ cleared; the offset stays), so the child starts from zero-fill.
    /// </summary>
    private static MapEntry Zeroed(VmMap child, MapEntry old)
    {
        var entry = Clone(child, old, shared: false);
        entry.EType |= EType.CopyOnWrite | EType.NeedsCopy;
        if (entry.Amap is { } amap)
        {
            amap.Unref(entry.PageOff, entry.Pages);
            entry.Amap = null;
            entry.PageOff = 0;
        }
        if ((entry.EType & EType.Obj) != 0)
        {
            child.ObjectRefs[entry.Obj]--;
            entry.Obj = 0;
            entry.EType &= ~EType.Obj;
        }
        return entry;
    }

    /// <summary>
    /// uvm_mapent_clone(child, old->start, len, 0, prot, maxprot, old, dead, 0, amap_share_flags).
    /// => a new entry in the child's free space at the same addresses (uvm_map_mkentry: wired_count 0):
    ///    object, offset, amap reference, etype, protections, inheritance and advice copied
    /// => amap_ref over the entry's slots (AMAP_SHARED when <paramref name="shared"/>); pgo_reference
    /// </summary>
    private static MapEntry Clone(VmMap child, MapEntry old, bool shared)
    {
        var before = child.Entries.Count > 0 ? child.Last : null;
        var entry = new MapEntry
        {
            Start = old.Start,
            End = old.End,
            FreeSpace = child.Max - old.End,
            EType = old.EType,
            Protection = old.Protection,
            MaxProtection = old.MaxProtection,
            Inheritance = old.Inheritance,
            Advice = old.Advice,
            Obj = old.Obj,
            Offset = old.Offset,
            Amap = old.Amap,
            PageOff = old.PageOff,
        };
        if (before is not null)
            before.FreeSpace = entry.Start - before.End;
        child.InsertAfter(before, entry);
        entry.Amap?.Ref(entry.PageOff, entry.Pages, shared);
        if ((entry.EType & EType.Obj) != 0)
            child.ObjectRefs[entry.Obj]++;
        return entry;
    }
}
