namespace UvmDiff.Spec.Concurrency;

/// <summary>uvm_page.c: uvm_pagewire and uvm_pageunwire, as callers reach them under the owner lock.</summary>
public static class PageWire
{
    /// <summary>uvm_pagewire: => on the 0 -> 1 transition the page leaves its queue and uvmexp.wired goes up</summary>
    public static string Wire(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null)
            return "none";
        if (page.WireCount == 0)
        {
            PageQueues.Dequeue(world, slot);
            world.Wired++;
        }
        page.WireCount++;
        return "wired";
    }

    /// <summary>
    /// uvm_pageunwire: => on the 1 -> 0 transition the page is activated and uvmexp.wired goes down.
    /// An unwired page is left alone and reported: the caller's uvm_fault_unwire would not reach it.
    /// </summary>
    public static string Unwire(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        if (page is null)
            return "none";
        if (page.WireCount == 0)
            return "not-wired";
        page.WireCount--;
        if (page.WireCount == 0)
        {
            PageQueues.Activate(world, slot);
            world.Wired--;
        }
        return "unwired";
    }
}
