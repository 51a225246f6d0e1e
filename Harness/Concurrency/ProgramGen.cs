using System.Text;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// Random programs: one to three slots (so that threads meet on the same page), two threads (sometimes
/// three) of one to three calls that fit their slot's owner, and a random schedule: half the time a fresh
/// coin per step, half the time bursts of a few steps per thread, as preemption on a real machine looks.
/// </summary>
public static class ProgramGen
{
    private static readonly CallName[] AnonCalls =
    [
        CallName.AnFree,
        CallName.AnonRelease,
        CallName.AnFreeList,
        CallName.Wire,
        CallName.Unwire,
        CallName.Fault,
        CallName.Deactivate,
        CallName.DaemonFree,
    ];
    private static readonly CallName[] AobjCalls =
    [
        CallName.UaoFlushFree,
        CallName.Wire,
        CallName.Unwire,
        CallName.Fault,
        CallName.Deactivate,
        CallName.DaemonFree,
    ];
    private static readonly CallName[] KmemCalls = [CallName.KmPgremove, CallName.Wire, CallName.Unwire];

    public static void Sequence(ref Rng rng, int maxOps, List<ConcurrentProgram> into)
    {
        int count = rng.Between(1, Math.Max(1, Math.Min(maxOps, 4)));
        for (int i = 0; i < count; i++)
            into.Add(One(ref rng));
    }

    public static ConcurrentProgram One(ref Rng rng)
    {
        int slotCount = rng.Weighted([0, 4, 3, 1]);
        var slots = new List<SlotSetup>(slotCount);
        for (int slot = 0; slot < slotCount; slot++)
            slots.Add(Slot(ref rng));
        int threadCount = rng.Chance(15) ? 3 : 2;
        var threads = new List<IReadOnlyList<Call>>(threadCount);
        for (int t = 0; t < threadCount; t++)
        {
            int calls = rng.Weighted([0, 6, 3, 1]);
            var list = new List<Call>(calls);
            for (int c = 0; c < calls; c++)
            {
                int slot = rng.Below(slotCount);
                var menu = slots[slot].Owner switch
                {
                    SlotOwner.Anon => AnonCalls,
                    SlotOwner.Aobj => AobjCalls,
                    _ => KmemCalls,
                };
                list.Add(new Call(rng.Pick<CallName>(menu), slot));
            }
            threads.Add(list);
        }
        return new ConcurrentProgram(slots, threads, Schedule(ref rng, threadCount));
    }

    private static SlotSetup Slot(ref Rng rng)
    {
        var owner = (SlotOwner)rng.Below(3);
        if (owner == SlotOwner.Kmem)
            return new SlotSetup(owner, rng.Chance(80) ? SlotState.Wired : SlotState.None, false);
        var state = (SlotState)rng.Weighted([1, 5, 3, 2]);
        return new SlotSetup(owner, state, state != SlotState.None && rng.Chance(60));
    }

    private static string Schedule(ref Rng rng, int threads)
    {
        int length = rng.Between(10, 90);
        var sb = new StringBuilder(length);
        bool bursts = rng.Chance(50);
        while (sb.Length < length)
        {
            char thread = ConcurrentProgram.ThreadLetters[rng.Below(threads)];
            int run = bursts ? rng.Between(1, 8) : 1;
            for (int i = 0; i < run && sb.Length < length; i++)
                sb.Append(thread);
        }
        return sb.ToString();
    }
}
