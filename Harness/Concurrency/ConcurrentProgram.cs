using System.Text;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>What a slot holds when a program starts.</summary>
public enum SlotState : byte
{
    None,
    Active,
    Inactive,
    Wired,
}

/// <summary>One owner slot of a program's world: its owner, its page's state, whether a pmap maps the page.</summary>
public sealed record SlotSetup(SlotOwner Owner, SlotState State, bool Mapped)
{
    public override string ToString()
    {
        string owner = Owner.ToString().ToLowerInvariant();
        string state = State.ToString().ToLowerInvariant();
        return Mapped && State != SlotState.None ? $"{owner}|{state}|mapped" : $"{owner}|{state}";
    }
}

/// <summary>One call a thread makes, on one slot.</summary>
public sealed record Call(CallName Name, int Slot)
{
    public override string ToString() => $"{Name}({Slot})";
}

/// <summary>
/// The concurrency layer's op: a whole program run from a fresh world. Its slots are set up, threads
/// a, b (and c) each make their calls in order, concurrently, and the schedule says which thread takes
/// each next step (a letter per step; a letter naming a thread that cannot run, and every step after the
/// schedule ends, go to the thread that stepped last if it can, else to the first that can). The
/// schedule is data: the same text replays the same interleaving.
/// </summary>
public sealed record ConcurrentProgram(
    IReadOnlyList<SlotSetup> Slots,
    IReadOnlyList<IReadOnlyList<Call>> Threads,
    string Schedule
)
{
    public const string ThreadLetters = "abc";

    public override string ToString()
    {
        var sb = new StringBuilder("Program(slots: [");
        sb.AppendJoin(", ", Slots);
        sb.Append(']');
        for (int t = 0; t < Threads.Count; t++)
        {
            sb.Append(", ").Append(ThreadLetters[t]).Append(": [");
            sb.AppendJoin(", ", Threads[t]);
            sb.Append(']');
        }
        if (Schedule.Length > 0)
            sb.Append(", schedule: ").Append(Schedule);
        return sb.Append(')').ToString();
    }

    /// <summary>The program without its schedule: what the sequential orders depend on.</summary>
    public string Calls() => (this with { Schedule = "" }).ToString();

    /// <summary>The schedule as thread indices.</summary>
    public byte[] ScheduleIndices()
    {
        var indices = new byte[Schedule.Length];
        for (int i = 0; i < indices.Length; i++)
            indices[i] = (byte)ThreadLetters.IndexOf(Schedule[i]);
        return indices;
    }

    public static string ScheduleText(IEnumerable<int> threads)
    {
        var sb = new StringBuilder();
        foreach (int t in threads)
            sb.Append(ThreadLetters[t]);
        return sb.ToString();
    }

    /// <summary>How often the schedule moves from one thread to another.</summary>
    public int ContextSwitches()
    {
        int switches = 0;
        for (int i = 1; i < Schedule.Length; i++)
        {
            if (Schedule[i] != Schedule[i - 1])
                switches++;
        }
        return switches;
    }

    /// <summary>The calls each owner kind may receive, as the generator and the parser agree.</summary>
    public static bool Accepts(SlotOwner owner, CallName call) =>
        call switch
        {
            CallName.AnFree or CallName.AnonRelease or CallName.AnFreeList => owner == SlotOwner.Anon,
            CallName.UaoFlushFree => owner == SlotOwner.Aobj,
            CallName.KmPgremove => owner == SlotOwner.Kmem,
            CallName.Fault or CallName.Deactivate or CallName.DaemonFree => owner != SlotOwner.Kmem,
            _ => true,
        };
}
