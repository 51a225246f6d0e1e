using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Concurrency;

/// <summary>Who owns a slot's page, and so which lock guards it: an amap (anon), an aobj, or uvm.kernel_object.</summary>
public enum OwnerKind
{
    Anon,
    Aobj,
    Kmem,
}

/// <summary>The page queue a resident page sits on (PQ_ACTIVE, PQ_INACTIVE, or neither).</summary>
public enum QueueName
{
    None,
    Active,
    Inactive,
}

/// <summary>One resident page as the reference keeps it: its queue, its wire count, whether a pmap maps it.</summary>
public sealed class ResidentPage(QueueName queue, int wireCount, bool mapped)
{
    public QueueName Queue = queue;
    public int WireCount = wireCount;
    public bool Mapped = mapped;
}

/// <summary>
/// The small world of seed 002's review, as the reference keeps it: a few owner slots (an amap slot, an
/// aobj offset or a kernel-object offset), each holding a resident page or none, the active and inactive
/// queues as plain lists of slots in queue order, and the uvmexp counters. Calls are atomic here: the
/// reference is the sequential meaning every interleaving must be equivalent to.
/// </summary>
/// <remarks>
/// => a freed page leaves the world: only the count of free pages remembers it
/// => a fresh page (a fault on an empty slot) comes from the free pages, so <see cref="Free"/> goes down
/// </remarks>
public sealed class SlotWorld
{
    /// <summary>Free pages before any call: enough for every fault of a small program.</summary>
    public const int FreeAtStart = 8;

    public readonly OwnerKind[] Kinds;
    public readonly ResidentPage?[] Slots;
    public readonly List<int> ActiveQueue = [];
    public readonly List<int> InactiveQueue = [];
    public int Active;
    public int Inactive;
    public int Wired;
    public int Free = FreeAtStart;

    public SlotWorld(OwnerKind[] kinds)
    {
        Kinds = kinds;
        Slots = new ResidentPage?[kinds.Length];
    }

    /// <summary>
    /// Put a page in <paramref name="slot"/> as the set-up of a program describes it; queued pages join
    /// their queue's tail, wired pages count in <see cref="Wired"/>.
    /// => a wired page is on no queue
    /// </summary>
    public void Place(int slot, QueueName queue, int wireCount, bool mapped)
    {
        K.Kassert(wireCount == 0 || queue == QueueName.None, "wire_count == 0 || !queued");
        Slots[slot] = new ResidentPage(queue, wireCount, mapped);
        if (queue != QueueName.None)
            PageQueues.InsertTail(this, slot, queue);
        if (wireCount > 0)
            Wired++;
    }
}
