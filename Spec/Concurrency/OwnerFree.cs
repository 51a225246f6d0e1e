namespace UvmDiff.Spec.Concurrency;

/// <summary>
/// The callers of uvm_pagefree that seed 002 changes, under their owner lock: uvm_anon.c uvm_anfree_list
/// and uvm_anon_release, uvm_aobj.c uao_flush (the PGO_FREE case), uvm_km.c uvm_km_pgremove.
/// </summary>
public static class OwnerFree
{
    /// <summary>uvm_anfree (amap lock held): => the anon's page, if resident, loses its mappings and is freed; the slot empties</summary>
    public static string AnFree(SlotWorld world, int slot) => ProtectAndFree(world, slot);

    /// <summary>
    /// uvm_anfree_list with a list (amap lock held), then uvm_pglistfree after the lock is gone:
    /// => as uvm_anfree; the page leaves the anon and the queues at once and reaches the free pages later,
    /// which no caller can observe apart
    /// </summary>
    public static string AnFreeList(SlotWorld world, int slot) => ProtectAndFree(world, slot);

    /// <summary>
    /// uvm_anon_release (amap lock held, from uvm_aio_aiodone_pages): => as uvm_anfree, the page is
    /// protected and freed with the anon. The reference ignores PG_BUSY|PG_RELEASED, which only decide who
    /// gets here.
    /// </summary>
    public static string AnonRelease(SlotWorld world, int slot) => ProtectAndFree(world, slot);

    /// <summary>uao_flush(PGO_FREE) on one offset, refs == 1 (object lock held): => wired pages are skipped; others protected and freed</summary>
    public static string UaoFlushFree(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null)
            return "none";
        if (page.WireCount > 0)
            return "skipped-wired";
        return ProtectAndFree(world, slot);
    }

    /// <summary>
    /// uvm_km_pgremove on one offset (kernel object lock held; pmap_remove of the kernel range came
    /// first): => the page is freed, wired or not
    /// </summary>
    public static string KmPgremove(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null)
            return "none";
        page.Mapped = false;
        PageFree.Free(world, slot);
        return "freed";
    }

    private static string ProtectAndFree(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null)
            return "none";
        page.Mapped = false;
        PageFree.Free(world, slot);
        return "freed";
    }
}
