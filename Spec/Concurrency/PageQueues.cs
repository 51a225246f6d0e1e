using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Concurrency;

/// <summary>
/// uvm_page.c: uvm_pagedequeue, uvm_pageactivate, uvm_pagedeactivate, on the reference's list queues.
/// The page-queue lock is implied: every reference call is atomic.
/// </summary>
public static class PageQueues
{
    public static void InsertTail(SlotWorld world, int slot, QueueName queue)
    {
        var page = world.Slots[slot]!;
        K.Kassert(page.Queue == QueueName.None || page.Queue == queue, "page on at most one queue");
        page.Queue = queue;
        if (queue == QueueName.Active)
        {
            world.ActiveQueue.Add(slot);
            world.Active++;
        }
        else
        {
            world.InactiveQueue.Add(slot);
            world.Inactive++;
        }
    }

    /// <summary>uvm_pagedequeue: => the page leaves whichever queue it is on; a page on none is left alone</summary>
    public static void Dequeue(SlotWorld world, int slot)
    {
        var page = world.Slots[slot]!;
        if (page.Queue == QueueName.Active)
        {
            world.ActiveQueue.Remove(slot);
            world.Active--;
        }
        else if (page.Queue == QueueName.Inactive)
        {
            world.InactiveQueue.Remove(slot);
            world.Inactive--;
        }
        page.Queue = QueueName.None;
    }

    /// <summary>uvm_pageactivate: => dequeue; an unwired page goes to the active tail, a wired one stays off the queues</summary>
    public static void Activate(SlotWorld world, int slot)
    {
        Dequeue(world, slot);
        if (world.Slots[slot]!.WireCount == 0)
            InsertTail(world, slot, QueueName.Active);
    }

    /// <summary>uvm_pagedeactivate: => no mapping is left; an active unwired page moves to the inactive tail</summary>
    public static void Deactivate(SlotWorld world, int slot)
    {
        var page = world.Slots[slot]!;
        page.Mapped = false;
        if (page.Queue == QueueName.Active)
            Dequeue(world, slot);
        if (page.Queue != QueueName.Inactive)
        {
            K.Kassert(page.WireCount == 0, "pg->wire_count == 0");
            InsertTail(world, slot, QueueName.Inactive);
        }
    }
}
