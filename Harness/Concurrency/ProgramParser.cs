using UvmDiff.Harness.Core;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// Reads a <see cref="Program"/> back from replay syntax, e.g.
/// <c>Program(slots: [aobj|active|mapped], a: [UaoFlushFree(0)], b: [Fault(0)], schedule: aabab)</c>,
/// and checks what the model needs: 1 to 8 slots, 1 to 3 threads of calls that fit their slot's owner.
/// </summary>
public static class ProgramParser
{
    public static ConcurrentProgram Parse(string line)
    {
        var call = OpSyntax.ParseCall(line);
        if (call.Name != "Program")
            throw new FormatException($"unknown operation '{call.Name}' (the concurrency layer has only Program)");
        var slots = new List<SlotSetup>();
        if (call.Arg("slots") is not ListNode slotList || slotList.Items.Count is 0 or > Footprints.MaxSlots)
            throw new FormatException($"Program: slots must be a list of 1 to {Footprints.MaxSlots} slots");
        foreach (var item in slotList.Items)
            slots.Add(Slot(item));
        var threads = new List<IReadOnlyList<Call>>();
        for (int t = 0; t < ConcurrentProgram.ThreadLetters.Length; t++)
        {
            if (call.TryArg(ConcurrentProgram.ThreadLetters[t].ToString()) is not { } node)
                break;
            if (node is not ListNode calls)
                throw new FormatException(
                    $"Program: thread {ConcurrentProgram.ThreadLetters[t]} must be a list of calls"
                );
            threads.Add([.. calls.Items.Select(c => Call(c, slots))]);
        }
        if (threads.Count == 0)
            throw new FormatException("Program: no threads (a: [...], b: [...])");
        string schedule = "";
        if (call.TryArg("schedule") is { } scheduleNode)
        {
            schedule = scheduleNode is WordNode word
                ? word.Word
                : throw new FormatException("Program: schedule must be a word of thread letters, e.g. aabab");
            foreach (char c in schedule)
            {
                int t = ConcurrentProgram.ThreadLetters.IndexOf(c);
                if (t < 0 || t >= threads.Count)
                    throw new FormatException($"Program: schedule names thread '{c}', which the program does not have");
            }
        }
        return new ConcurrentProgram(slots, threads, schedule);
    }

    private static SlotSetup Slot(SyntaxNode node)
    {
        var words = node switch
        {
            UnionNode union => union.Words,
            WordNode word => [word.Word],
            _ => throw new FormatException("Program: a slot is owner|state[|mapped], e.g. anon|active|mapped"),
        };
        if (!Enum.TryParse<SlotOwner>(words[0], ignoreCase: true, out var owner) || !Enum.IsDefined(owner))
            throw new FormatException($"Program: unknown owner '{words[0]}' (anon, aobj, kmem)");
        var state = SlotState.None;
        if (words.Count > 1 && (!Enum.TryParse(words[1], ignoreCase: true, out state) || !Enum.IsDefined(state)))
            throw new FormatException($"Program: unknown slot state '{words[1]}' (none, active, inactive, wired)");
        bool mapped = words.Count > 2 && words[2] == "mapped";
        if (words.Count > 3 || (words.Count == 3 && !mapped))
            throw new FormatException($"Program: unexpected '{string.Join("|", words.Skip(2))}' in a slot");
        return new SlotSetup(owner, state, mapped);
    }

    private static Call Call(SyntaxNode node, List<SlotSetup> slots)
    {
        if (node is not CallNode call || call.Args.Count != 1 || call.Args[0].Value is not NumberNode number)
            throw new FormatException("Program: a call is Name(slot), e.g. Fault(0)");
        if (!Enum.TryParse<CallName>(call.Name, out var name) || !Enum.IsDefined(name))
            throw new FormatException(
                $"Program: unknown call '{call.Name}' ({string.Join(", ", Enum.GetNames<CallName>())})"
            );
        if (number.Value >= (ulong)slots.Count)
            throw new FormatException($"Program: {call.Name}({number.Text}) names a slot the program does not have");
        int slot = (int)number.Value;
        if (!ConcurrentProgram.Accepts(slots[slot].Owner, name))
            throw new FormatException(
                $"Program: {name} does not apply to slot {slot} ({slots[slot].Owner.ToString().ToLowerInvariant()})"
            );
        return new Call(name, slot);
    }
}
