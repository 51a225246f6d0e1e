namespace UvmDiff.Spec.Concurrency;

/// <summary>
/// uvm_pdaemon.c: uvmpd_scan_active's deactivation and uvmpd_scan_inactive's free of a clean page, for one
/// named slot, with the owner lock and the page-queue lock held.
/// </summary>
public static class PageDaemon
{
    /// <summary>=> an active unwired page loses its mappings and moves to the inactive tail; otherwise "skipped"</summary>
    public static string Deactivate(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null || page.Queue != QueueName.Active || page.WireCount > 0)
            return "skipped";
        PageQueues.Deactivate(world, slot);
        return "deactivated";
    }

    /// <summary>=> an inactive unwired page loses its mappings and is freed; otherwise "skipped"</summary>
    public static string Free(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null || page.Queue != QueueName.Inactive || page.WireCount > 0)
            return "skipped";
        page.Mapped = false;
        PageFree.Free(world, slot);
        return "freed";
    }
}
