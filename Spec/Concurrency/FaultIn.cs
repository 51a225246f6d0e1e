namespace UvmDiff.Spec.Concurrency;

/// <summary>
/// uvm_fault.c: uvm_fault_upper / uvm_fault_lower reduced to what seed 002's third question needs: under
/// the owner lock, a resident page is mapped back in and activated; an empty slot gets a fresh page.
/// </summary>
public static class FaultIn
{
    /// <summary>=> "resident" when the slot's page was mapped back in, "fresh" when a new page was allocated, "none" for kernel-object slots (they do not fault)</summary>
    public static string Fault(SlotWorld world, int slot)
    {
        if (world.Kinds[slot] == OwnerKind.Kmem)
            return "none";
        var page = world.Slots[slot];
        string result = "resident";
        if (page is null)
        {
            page = PageFree.Alloc(world, slot);
            result = "fresh";
        }
        page.Mapped = true;
        PageQueues.Activate(world, slot);
        return result;
    }
}
