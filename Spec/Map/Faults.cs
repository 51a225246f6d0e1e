using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>
/// uvm_fault.c and uvm_amap.c as the map layer sees them: amap_copy with its 64 KiB chunking, the fault
/// that creates an amap and an anon, uvm_fault_wire and uvm_fault_unwire_locked. Pages are not mapped
/// in a pmap here: a page counts as mapped once it is resident (an anon in the entry's amap slot, or the
/// object page at the entry's offset), which is what pmap_extract would find after the fault that
/// brought it in.
/// </summary>
public static class Faults
{
    /// <summary>
    /// uvm_fault(map, va, 0, access) on a page that is not mapped for that access (PROT_READ, PROT_WRITE or
    /// PROT_EXEC; only a write resolves copy on write).
    /// => EFAULT when va is not in a mapped, non-HOLE entry; EACCES when the entry's protection lacks the access
    /// => on a wired entry the access becomes the entry's protection (uvm_fault_check: full access for wired)
    /// => a NEEDSCOPY entry is amap_copied on a write or when it has no object, chunking unless it is a STACK
    /// => an anon present already: a write to an anon with more than one reference promotes it
    ///    (uvm_fault_upper: a new anon replaces it in the slot, its an_ref drops by one); otherwise nothing
    ///    to do. No anon: a zero-fill anon (no object), a promoted anon (write to a COPYONWRITE object) or
    ///    the object page
    /// => an anon the fault creates on a wired entry is wired (the fault's `wired` case); a wired entry's
    ///    object pages are all resident already (uvm_fault_wire brought them in), so none is brought in here
    /// </summary>
    public static string? Fault(VmMap map, ulong va, Prot access)
    {
        if (!map.LookupEntry(va, out var entry))
            return "EFAULT";
        if ((entry!.Protection & access) != access)
            return "EACCES";
        bool write = access == Prot.W;
        if (entry.IsWired)
            write = (entry.Protection & Prot.W) != 0;
        FaultPage(map, va, write, wire: false);
        return null;
    }

    /// <summary>
    /// uvm_fault_wire(map, start, end, access_type): a wire fault on every page; each page the fault
    /// resolves to gets one more wire, whether or not it was resident or wired before.
    /// </summary>
    public static void WirePages(VmMap map, ulong start, ulong end, Prot access)
    {
        for (ulong va = start; va < end; va += MapConst.PageSize)
            FaultPage(map, va, (access & Prot.W) != 0, wire: true);
    }

    /// <summary>
    /// uvm_fault_unwire_locked over [start, end) of <paramref name="entry"/>: each page found there loses a wire.
    /// => no check against underflow: a page that was not wired wraps below zero, as uvm_pageunwire does
    /// </summary>
    public static void UnwirePages(VmMap map, MapEntry entry, ulong start, ulong end)
    {
        for (ulong va = start; va < end; va += MapConst.PageSize)
        {
            if (AnonAt(entry, va) is { } anon)
                anon.Wired--;
            else if (entry.Obj != 0 && map.ObjectPages.TryGetValue(ObjectKey(entry, va), out int wired))
                map.ObjectPages[ObjectKey(entry, va)] = wired - 1;
        }
    }

    private static void FaultPage(VmMap map, ulong va, bool write, bool wire)
    {
        map.LookupEntry(va, out var entry);
        var e = entry!;
        if ((e.EType & EType.NeedsCopy) != 0 && (write || e.Obj == 0))
            e = AmapCopy(map, e, canChunk: (e.EType & EType.Stack) == 0, va, va + MapConst.PageSize);
        bool fresh = false;
        var anon = AnonAt(e, va);
        if (anon is not null && write && anon.Refs > 1)
        {
            var old = anon;
            anon = map.NewAnon();
            e.Amap!.Slots[Slot(e, va)] = anon;
            old.Refs--;
            fresh = true;
        }
        else if (anon is null && (e.Obj == 0 || (write && (e.EType & EType.CopyOnWrite) != 0)))
        {
            if (e.Obj != 0)
                Resident(map, e, va);
            anon = map.NewAnon();
            e.Amap!.Slots[Slot(e, va)] = anon;
            fresh = true;
        }
        if (anon is not null)
        {
            if (wire || (fresh && e.IsWired))
                anon.Wired++;
            return;
        }
        Resident(map, e, va);
        if (wire)
            map.ObjectPages[ObjectKey(e, va)]++;
    }

    /// <summary>
    /// amap_copy(map, entry, waitf, canchunk, startva, endva).
    /// => no amap yet: an entry of UVM_AMAP_LARGE pages or more is first clipped to the 64 KiB-aligned
    ///    chunk around [startva, endva) when it may be chunked (CLIP_END skipped when the rounded end
    ///    wraps); then it gets a fresh amap
    /// => an amap this entry alone references (am_ref 1) is taken over
    /// => a shared one is copied: a new amap of the entry's pages holds the same anons (an_ref++ each);
    ///    the source loses this reference (AMAP_SHARED cleared when one is left; its ppref counts over
    ///    the entry's slots -1, wiping any that reach 0)
    /// => NEEDSCOPY is cleared; returns the entry that now covers startva (CLIP_START leaves the caller
    ///    on the upper half)
    /// </summary>
    public static MapEntry AmapCopy(VmMap map, MapEntry entry, bool canChunk, ulong startva, ulong endva)
    {
        if (entry.Amap is not { } source)
        {
            if (entry.Pages >= MapConst.AmapLarge && canChunk)
            {
                startva = startva / MapConst.ChunkBytes * MapConst.ChunkBytes;
                ulong rounded = unchecked(
                    (endva + MapConst.ChunkBytes - 1) / MapConst.ChunkBytes * MapConst.ChunkBytes
                );
                Clip.Start(map, entry, startva);
                if (rounded >= startva)
                    Clip.End(map, entry, rounded);
            }
            entry.PageOff = 0;
            entry.Amap = map.NewAmap(entry.Pages);
            entry.EType &= ~EType.NeedsCopy;
            return entry;
        }
        if (source.Refs == 1)
        {
            entry.EType &= ~EType.NeedsCopy;
            return entry;
        }
        var copy = map.NewAmap(entry.Pages);
        for (int slot = 0; slot < entry.Pages; slot++)
        {
            if (source.Slots[entry.PageOff + slot] is not { } anon)
                continue;
            copy.Slots[slot] = anon;
            anon.Refs++;
        }
        source.Refs--;
        K.Kassert(source.Refs > 0, "srcamap->am_ref > 0");
        if (source.Refs == 1)
            source.Shared = false;
        source.AdjustPerPage(entry.PageOff, entry.Pages, -1);
        entry.PageOff = 0;
        entry.Amap = copy;
        entry.EType &= ~EType.NeedsCopy;
        return entry;
    }

    /// <summary>
    /// amap_cow_now(map, entry) at fork for a wired parent entry: every anon of the child's (just copied)
    /// amap that is still shared is copied now.
    /// => in slot order, an anon with an_ref &gt; 1 is replaced by a new anon (its page a copy) and loses
    ///    one reference; an anon with one reference is the child's alone and stays
    /// </summary>
    public static void CowNow(VmMap map, MapEntry entry)
    {
        var amap = entry.Amap!;
        for (int slot = 0; slot < amap.Slots.Length; slot++)
        {
            if (amap.Slots[slot] is not { } anon || anon.Refs <= 1)
                continue;
            amap.Slots[slot] = map.NewAnon();
            anon.Refs--;
        }
    }

    public static Anon? AnonAt(MapEntry entry, ulong va) => entry.Amap?.Slots[Slot(entry, va)];

    private static int Slot(MapEntry entry, ulong va) =>
        entry.PageOff + (int)((va - entry.Start) >> MapConst.PageShift);

    private static (int, ulong) ObjectKey(MapEntry entry, ulong va) => (entry.Obj, entry.Offset + (va - entry.Start));

    /// <summary>The object page at va made resident; true when it was not before.</summary>
    private static bool Resident(VmMap map, MapEntry entry, ulong va) =>
        map.ObjectPages.TryAdd(ObjectKey(entry, va), 0);
}
