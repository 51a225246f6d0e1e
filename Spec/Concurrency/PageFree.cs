using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Concurrency;

/// <summary>uvm_page.c: uvm_pageclean and uvm_pagefree, as one atomic act on the reference.</summary>
public static class PageFree
{
    /// <summary>
    /// uvm_pageclean then uvm_pagefree: the page leaves its owner slot and its queue, a wired page stops
    /// counting in uvmexp.wired, and the page joins the free pages.
    /// => assumes every mapping of the page is gone (the callers protect it first)
    /// </summary>
    public static void Free(SlotWorld world, int slot)
    {
        var page = world.Slots[slot];
        K.Kassert(page is not null, "pg != NULL");
        K.Kassert(!page!.Mapped, "no valid mappings of pg");
        PageQueues.Dequeue(world, slot);
        if (page.WireCount > 0)
        {
            page.WireCount = 0;
            world.Wired--;
        }
        world.Slots[slot] = null;
        world.Free++;
    }

    /// <summary>uvm_pagealloc for a fault on an empty slot: => a fresh, unqueued, unwired page; free goes down</summary>
    public static ResidentPage Alloc(SlotWorld world, int slot)
    {
        K.Kassert(world.Slots[slot] is null, "no page at the offset");
        K.Kassert(world.Free > 0, "uvmexp.free > 0");
        world.Free--;
        var page = new ResidentPage(QueueName.None, 0, mapped: false);
        world.Slots[slot] = page;
        return page;
    }
}
