using System.Text;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// Smaller programs to try in place of a failing sequence, structural first: fewer programs, fewer
/// threads, fewer calls, fewer and simpler slots; then simpler schedules: none at all, a shorter prefix,
/// one choice fewer, or one context switch fewer (a step given to the thread that ran before it).
/// </summary>
public static class ProgramShrink
{
    public static IEnumerable<ConcurrentProgram[]> List(ConcurrentProgram[] ops)
    {
        if (ops.Length > 1)
        {
            for (int i = 0; i < ops.Length; i++)
                yield return [ops[i]];
            for (int i = 0; i < ops.Length; i++)
                yield return [.. ops[..i], .. ops[(i + 1)..]];
        }
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var smaller in One(ops[i]))
            {
                var copy = (ConcurrentProgram[])ops.Clone();
                copy[i] = smaller;
                yield return copy;
            }
        }
    }

    public static IEnumerable<ConcurrentProgram> One(ConcurrentProgram program)
    {
        for (int t = 0; t < program.Threads.Count && program.Threads.Count > 1; t++)
            yield return WithoutThread(program, t);
        for (int t = 0; t < program.Threads.Count; t++)
        {
            for (int c = 0; c < program.Threads[t].Count; c++)
            {
                var threads = program.Threads.ToList();
                threads[t] = [.. program.Threads[t].Where((_, i) => i != c)];
                yield return program with
                {
                    Threads = threads,
                };
            }
        }
        for (int slot = 0; slot < program.Slots.Count && program.Slots.Count > 1; slot++)
        {
            if (!Uses(program, slot))
                yield return WithoutSlot(program, slot);
        }
        for (int slot = 0; slot < program.Slots.Count; slot++)
        {
            var setup = program.Slots[slot];
            if (setup.Mapped)
                yield return WithSlot(program, slot, setup with { Mapped = false });
            if (setup.State is Concurrency.SlotState.Inactive or Concurrency.SlotState.Wired)
                yield return WithSlot(program, slot, setup with { State = Concurrency.SlotState.Active });
        }
        string schedule = program.Schedule;
        if (schedule.Length == 0)
            yield break;
        yield return program with
        {
            Schedule = "",
        };
        for (int keep = schedule.Length / 2; keep < schedule.Length; keep += Math.Max(1, (schedule.Length - keep) / 2))
            yield return program with
            {
                Schedule = schedule[..keep],
            };
        for (int i = schedule.Length - 1; i >= 0; i--)
            yield return program with
            {
                Schedule = schedule.Remove(i, 1),
            };
        for (int i = 1; i < schedule.Length; i++)
        {
            if (schedule[i] != schedule[i - 1])
            {
                var sb = new StringBuilder(schedule) { [i] = schedule[i - 1] };
                yield return program with
                {
                    Schedule = sb.ToString(),
                };
            }
        }
    }

    private static bool Uses(ConcurrentProgram program, int slot) =>
        program.Threads.Any(calls => calls.Any(call => call.Slot == slot));

    /// <summary>Drop an unused slot; calls on later slots move down one.</summary>
    private static ConcurrentProgram WithoutSlot(ConcurrentProgram program, int slot)
    {
        var threads = program
            .Threads.Select(calls =>
                (IReadOnlyList<Call>)
                    [.. calls.Select(call => call.Slot > slot ? call with { Slot = call.Slot - 1 } : call)]
            )
            .ToList();
        return program with { Slots = [.. program.Slots.Where((_, i) => i != slot)], Threads = threads };
    }

    private static ConcurrentProgram WithSlot(ConcurrentProgram program, int slot, SlotSetup setup)
    {
        var slots = program.Slots.ToList();
        slots[slot] = setup;
        return program with { Slots = slots };
    }

    /// <summary>Drop thread <paramref name="t"/>; later threads move down a letter, in the schedule too.</summary>
    private static ConcurrentProgram WithoutThread(ConcurrentProgram program, int t)
    {
        var threads = program.Threads.Where((_, i) => i != t).ToList();
        var sb = new StringBuilder();
        foreach (char c in program.Schedule)
        {
            int index = ConcurrentProgram.ThreadLetters.IndexOf(c);
            if (index != t)
                sb.Append(ConcurrentProgram.ThreadLetters[index > t ? index - 1 : index]);
        }
        return new ConcurrentProgram(program.Slots, threads, sb.ToString());
    }
}
