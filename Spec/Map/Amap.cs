using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Map;

/// <summary>vm_anon: one anonymous page, shared by reference count between amap slots (of one process's amaps or, after fork, of several).</summary>
public sealed class Anon(int id)
{
    public int Id { get; } = id;

    /// <summary>an_ref.</summary>
    public int Refs = 1;

    /// <summary>The page's wire_count.</summary>
    public int Wired;
}

/// <summary>
/// uvm_amap.c for the reference: an amap as a plain array of slots and, once a partial reference
/// exists, a plain array of per-page reference counts (the kernel's ppref, without its run-length
/// encoding).
/// </summary>
public sealed class Amap
{
    public Amap(int id, int slots)
    {
        K.Kassert(slots > 0, "slots > 0");
        Id = id;
        Slots = new Anon?[slots];
    }

    public int Id { get; }

    /// <summary>am_anon, am_nslot = Slots.Length.</summary>
    public Anon?[] Slots { get; }

    /// <summary>am_ref.</summary>
    public int Refs = 1;

    /// <summary>am_ppref: null until the first partial reference, then one count per slot.</summary>
    public int[]? PerPageRefs;

    /// <summary>AMAP_SHARED: a fork shared the amap (amap_ref with AMAP_SHARED); cleared when am_ref drops to 1.</summary>
    public bool Shared;

    /// <summary>
    /// amap_ref(amap, pageoff, pages, shared ? AMAP_SHARED : 0): the child's reference at fork.
    /// => AMAP_SHARED set when asked; ppref established first for a reference to part of the amap
    /// => am_ref++, and the referenced slots' ppref counts +1
    /// </summary>
    public void Ref(int pageoff, int pages, bool shared)
    {
        if (shared)
            Shared = true;
        if (PerPageRefs is null && pages != Slots.Length)
            PerPageRefs = Establish();
        Refs++;
        AdjustPerPage(pageoff, pages, +1);
    }

    /// <summary>
    /// amap_splitref: the entry at <paramref name="pageoff"/> is split <paramref name="leftSlots"/>
    /// pages in; both halves now reference the amap.
    /// => panics on a split at zero offset, and when no slot would be left for the upper half
    /// => ppref is established (every slot gets the old am_ref) before am_ref++
    /// </summary>
    public void SplitRef(int pageoff, int leftSlots)
    {
        if (leftSlots == 0)
            throw K.Panic("amap_splitref: split at zero offset");
        if (Slots.Length - pageoff - leftSlots <= 0)
            throw K.Panic("amap_splitref: map size check failed");
        PerPageRefs ??= Establish();
        Refs++;
    }

    /// <summary>
    /// amap_unref(amap, pageoff, npages, all = FALSE) from uvm_unmap_detach.
    /// => the last reference wipes every anon out and frees the amap (returns true)
    /// => otherwise AMAP_SHARED is cleared when am_ref goes from 2 to 1; a partial reference establishes
    ///    ppref first, and every slot whose count reaches 0 loses its anon
    /// </summary>
    public bool Unref(int pageoff, int pages)
    {
        K.Kassert(Refs > 0, "amap->am_ref > 0");
        if (Refs == 1)
        {
            Refs = 0;
            for (int slot = 0; slot < Slots.Length; slot++)
                Wipe(slot);
            return true;
        }
        if (Refs == 2)
            Shared = false;
        if (PerPageRefs is null && pages != Slots.Length)
            PerPageRefs = Establish();
        Refs--;
        AdjustPerPage(pageoff, pages, -1);
        return false;
    }

    /// <summary>amap_pp_adjref(amap, pageoff, pages, delta) when ppref exists: a slot whose count reaches 0 is wiped.</summary>
    public void AdjustPerPage(int pageoff, int pages, int delta)
    {
        if (PerPageRefs is not { } pp)
            return;
        for (int slot = pageoff; slot < pageoff + pages; slot++)
        {
            pp[slot] += delta;
            if (pp[slot] < 0)
                throw K.Panic("amap_pp_adjref: negative reference count");
            if (pp[slot] == 0)
                Wipe(slot);
        }
    }

    private int[] Establish()
    {
        var pp = new int[Slots.Length];
        Array.Fill(pp, Refs);
        return pp;
    }

    /// <summary>amap_wiperange for one slot: drop the anon's reference, free it at zero.</summary>
    private void Wipe(int slot)
    {
        if (Slots[slot] is not { } anon)
            return;
        Slots[slot] = null;
        anon.Refs--;
    }
}
