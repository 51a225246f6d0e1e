using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// The reference side of the concurrency layer: a program's calls in every sequential order on the
/// reference. Its observation is the set of allowed results; a program is valid only if no order breaks a
/// reference invariant.
/// </summary>
public sealed class ReferenceProgramSide : ISide<ConcurrentProgram>
{
    private readonly Linearizability _oracle = new();
    private Linearizability.Allowed? _last;

    public string Name => "reference";

    public void Reset() => _last = null;

    public Outcome Apply(ConcurrentProgram op)
    {
        _last = _oracle.For(op);
        return Outcome.Ok;
    }

    public string LastSleeps => "";

    public string? CheckInvariants()
    {
        if (_last is null)
            return null;
        foreach (var result in _last.Results)
        {
            if (result.Broken is not null)
                return $"order {result.Order}: {result.Broken}";
        }
        return null;
    }

    public string? CheckAllInvariants() => CheckInvariants();

    public ulong Fingerprint() => _last?.Hash ?? 0;

    public ulong FullFingerprint() => Fingerprint();

    public IReadOnlyList<string> Observe() => _last?.Lines ?? [];

    public long[] ProbeCounts { get; } = new long[ConcurrencyProbes.Names.Count];
}

/// <summary>
/// An implementation side: the stepped kernel before or after seed 002's diff runs the program's threads
/// under its schedule. The outcome is <c>Ok</c> when the run is linearizable (its results and final world
/// are those of some sequential order on the reference), the panic or hang when a step failed or the
/// threads deadlocked, and <c>Ok(not linearizable: ...)</c> otherwise. Its observation is the allowed set
/// it was judged against, so that outcomes carry the whole verdict.
/// </summary>
public sealed class SteppedProgramSide(bool afterDiff, FaultSet faults) : ISide<ConcurrentProgram>
{
    private readonly SteppedMachine _machine = new(afterDiff, faults);
    private readonly Linearizability _oracle = new();
    private Linearizability.Allowed? _last;

    public string Name { get; } = (afterDiff ? "after-002" : "before-002") + (faults.IsNone ? "" : "+" + faults);

    public void Reset() => _last = null;

    public Outcome Apply(ConcurrentProgram op)
    {
        _last = _oracle.For(op);
        ProgramRun.Start(_machine, op);
        _machine.RunSchedule(op.ScheduleIndices());
        return Judge(_machine, _last);
    }

    /// <summary>The verdict on a finished run of <paramref name="machine"/> against the allowed results.</summary>
    public static Outcome Judge(SteppedMachine machine, Linearizability.Allowed allowed)
    {
        if (machine.Failure is { } failure)
        {
            string where = $"{failure} (after {machine.StepsTaken} steps)";
            return machine.FailureIsHang ? Outcome.Hang(where) : Outcome.Panic(where);
        }
        string key = ProgramRun.Key(machine, out string results);
        if (allowed.Keys.Contains(key))
            return Outcome.Ok;
        var world = new List<string>();
        machine.World.Render(world);
        return Outcome.Of(0, $"not linearizable: {results}; {string.Join("; ", world)}");
    }

    public string LastSleeps => "";

    public string? CheckInvariants() => null;

    public string? CheckAllInvariants() => null;

    public ulong Fingerprint() => _last?.Hash ?? 0;

    public ulong FullFingerprint() => Fingerprint();

    public IReadOnlyList<string> Observe() => _last?.Lines ?? [];

    public long[] ProbeCounts => _machine.ProbeCounts;
}

/// <summary>Setting a stepped machine up for a program, and reading its result the way the oracle keys results.</summary>
public static class ProgramRun
{
    public static void Start(SteppedMachine machine, ConcurrentProgram program)
    {
        Span<SlotOwner> owners = stackalloc SlotOwner[program.Slots.Count];
        for (int slot = 0; slot < owners.Length; slot++)
            owners[slot] = program.Slots[slot].Owner;
        machine.Reset(owners);
        for (int slot = 0; slot < owners.Length; slot++)
        {
            var setup = program.Slots[slot];
            switch (setup.State)
            {
                case SlotState.Active:
                    machine.World.Place(slot, 0, 0, setup.Mapped);
                    break;
                case SlotState.Inactive:
                    machine.World.Place(slot, 1, 0, setup.Mapped);
                    break;
                case SlotState.Wired:
                    machine.World.Place(slot, -1, 1, setup.Mapped);
                    break;
            }
        }
        var threads = new List<IReadOnlyList<(CallName, int)>>(program.Threads.Count);
        foreach (var calls in program.Threads)
            threads.Add([.. calls.Select(c => (c.Name, c.Slot))]);
        machine.Start(threads);
    }

    public static string Key(SteppedMachine machine, out string results)
    {
        var perThread = new List<IReadOnlyList<string>>(machine.ThreadCount);
        for (int t = 0; t < machine.ThreadCount; t++)
            perThread.Add(machine.Thread(t).Results);
        results = SequentialOrders.ResultText(perThread);
        var world = new List<string>();
        machine.World.Render(world);
        return SequentialOrders.Key(results, world);
    }
}
