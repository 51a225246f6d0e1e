using System.Text;

namespace UvmDiff.Spec.Concurrency;

/// <summary>The reference world's observation and invariants (uvm-semantics.md §1, "Invariants").</summary>
public static class SlotWorldView
{
    /// <summary>One line per slot, the queues in order, then the counters.</summary>
    public static List<string> Render(SlotWorld world)
    {
        var lines = new List<string>();
        for (int slot = 0; slot < world.Slots.Length; slot++)
        {
            var page = world.Slots[slot];
            string kind = world.Kinds[slot].ToString().ToLowerInvariant();
            lines.Add(
                page is null
                    ? $"slot {slot} {kind}: none"
                    : $"slot {slot} {kind}: {page.Queue.ToString().ToLowerInvariant()} wire={page.WireCount} {(page.Mapped ? "mapped" : "unmapped")}"
            );
        }
        lines.Add("active:" + Slots(world.ActiveQueue));
        lines.Add("inactive:" + Slots(world.InactiveQueue));
        lines.Add($"uvmexp: active={world.Active} inactive={world.Inactive} wired={world.Wired} free={world.Free}");
        return lines;
    }

    private static string Slots(List<int> queue)
    {
        var sb = new StringBuilder();
        foreach (int slot in queue)
            sb.Append(' ').Append(slot);
        return sb.ToString();
    }

    /// <summary>=> null, or the first broken invariant: queue counters, queue membership, wired pages and uvmexp.wired</summary>
    public static string? Check(SlotWorld world)
    {
        if (world.Active != world.ActiveQueue.Count)
            return $"uvmexp.active {world.Active} != active queue length {world.ActiveQueue.Count}";
        if (world.Inactive != world.InactiveQueue.Count)
            return $"uvmexp.inactive {world.Inactive} != inactive queue length {world.InactiveQueue.Count}";
        int wired = 0;
        for (int slot = 0; slot < world.Slots.Length; slot++)
        {
            var page = world.Slots[slot];
            if (page is null)
                continue;
            if (page.WireCount > 0)
                wired++;
            bool onActive = world.ActiveQueue.Contains(slot);
            bool onInactive = world.InactiveQueue.Contains(slot);
            if (onActive != (page.Queue == QueueName.Active) || onInactive != (page.Queue == QueueName.Inactive))
                return $"slot {slot}: queue flag {page.Queue} disagrees with the queues";
            if (page.WireCount > 0 && page.Queue != QueueName.None)
                return $"slot {slot}: wired page on the {page.Queue} queue";
        }
        if (wired != world.Wired)
            return $"uvmexp.wired {world.Wired} != wired pages {wired}";
        return null;
    }
}
