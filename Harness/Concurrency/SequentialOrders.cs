using System.Text;
using UvmDiff.Implementations.Concurrency;
using UvmDiff.Spec.Concurrency;
using UvmDiff.Spec.Kernel;

namespace UvmDiff.Harness.Concurrency;

/// <summary>What one sequential order of a program's calls gives on the reference: every call's result and the world after.</summary>
/// <param name="Order">The order, one thread letter per call.</param>
/// <param name="Key">Results and world as one text: two runs agree exactly when their keys are equal.</param>
/// <param name="Broken">A reference invariant the order broke, or a reference panic; null when none.</param>
public sealed record SequentialResult(
    string Order,
    string Results,
    IReadOnlyList<string> World,
    string Key,
    string? Broken
);

/// <summary>
/// Linearizability's yardstick: a program's calls run on the reference one at a time, in every order that
/// keeps each thread's own calls in program order. The allowed results are the distinct outcomes of those
/// orders. (Real-time order between threads is not required: every interleaving of a thread's steps is
/// one scheduling of the same calls, so the calls may take effect in any order across threads.)
/// </summary>
public static class SequentialOrders
{
    public static List<SequentialResult> All(ConcurrentProgram program)
    {
        var distinct = new Dictionary<string, SequentialResult>();
        var positions = new int[program.Threads.Count];
        var order = new StringBuilder();
        var calls = new List<(int Thread, Call Call)>();
        Merge(program, positions, order, calls, distinct);
        return [.. distinct.Values.OrderBy(r => r.Key, StringComparer.Ordinal)];
    }

    private static void Merge(
        ConcurrentProgram program,
        int[] positions,
        StringBuilder order,
        List<(int Thread, Call Call)> calls,
        Dictionary<string, SequentialResult> distinct
    )
    {
        bool any = false;
        for (int t = 0; t < positions.Length; t++)
        {
            if (positions[t] == program.Threads[t].Count)
                continue;
            any = true;
            calls.Add((t, program.Threads[t][positions[t]]));
            order.Append(ConcurrentProgram.ThreadLetters[t]);
            positions[t]++;
            Merge(program, positions, order, calls, distinct);
            positions[t]--;
            order.Length--;
            calls.RemoveAt(calls.Count - 1);
        }
        if (!any)
        {
            var result = Run(program, order.ToString(), calls);
            distinct.TryAdd(result.Key, result);
        }
    }

    /// <summary>Run <paramref name="calls"/> in the given order on a fresh reference world.</summary>
    public static SequentialResult Run(
        ConcurrentProgram program,
        string order,
        IReadOnlyList<(int Thread, Call Call)> calls
    )
    {
        var world = Build(program);
        var results = new List<string>[program.Threads.Count];
        for (int t = 0; t < results.Length; t++)
            results[t] = [];
        string? broken = null;
        foreach (var (thread, call) in calls)
        {
            try
            {
                results[thread].Add(Apply(world, call));
            }
            catch (KernelPanic panic)
            {
                broken = $"reference panic in {call}: {panic.Message}";
                break;
            }
        }
        broken ??= SlotWorldView.Check(world);
        string resultText = ResultText(results);
        var lines = SlotWorldView.Render(world);
        return new SequentialResult(order, resultText, lines, Key(resultText, lines), broken);
    }

    /// <summary>Per thread, the results of its calls in order: "a: [freed] b: [resident]".</summary>
    public static string ResultText(IReadOnlyList<IReadOnlyList<string>> results)
    {
        var sb = new StringBuilder();
        for (int t = 0; t < results.Count; t++)
        {
            if (t > 0)
                sb.Append(' ');
            sb.Append(ConcurrentProgram.ThreadLetters[t]).Append(": [").AppendJoin(", ", results[t]).Append(']');
        }
        return sb.ToString();
    }

    public static string Key(string results, IReadOnlyList<string> world) => results + "\n" + string.Join("\n", world);

    private static SlotWorld Build(ConcurrentProgram program)
    {
        var kinds = new OwnerKind[program.Slots.Count];
        for (int slot = 0; slot < kinds.Length; slot++)
        {
            kinds[slot] = program.Slots[slot].Owner switch
            {
                SlotOwner.Anon => OwnerKind.Anon,
                SlotOwner.Aobj => OwnerKind.Aobj,
                _ => OwnerKind.Kmem,
            };
        }
        var world = new SlotWorld(kinds);
        for (int slot = 0; slot < kinds.Length; slot++)
        {
            var setup = program.Slots[slot];
            switch (setup.State)
            {
                case SlotState.Active:
                    world.Place(slot, QueueName.Active, 0, setup.Mapped);
                    break;
                case SlotState.Inactive:
                    world.Place(slot, QueueName.Inactive, 0, setup.Mapped);
                    break;
                case SlotState.Wired:
                    world.Place(slot, QueueName.None, 1, setup.Mapped);
                    break;
            }
        }
        return world;
    }

    private static string Apply(SlotWorld world, Call call) =>
        call.Name switch
        {
            CallName.AnFree => OwnerFree.AnFree(world, call.Slot),
            CallName.AnonRelease => OwnerFree.AnonRelease(world, call.Slot),
            CallName.AnFreeList => OwnerFree.AnFreeList(world, call.Slot),
            CallName.UaoFlushFree => OwnerFree.UaoFlushFree(world, call.Slot),
            CallName.KmPgremove => OwnerFree.KmPgremove(world, call.Slot),
            CallName.Wire => PageWire.Wire(world, call.Slot),
            CallName.Unwire => PageWire.Unwire(world, call.Slot),
            CallName.Fault => FaultIn.Fault(world, call.Slot),
            CallName.Deactivate => PageDaemon.Deactivate(world, call.Slot),
            _ => PageDaemon.Free(world, call.Slot),
        };
}
