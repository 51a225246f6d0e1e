using System.Diagnostics;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>What a bounded-exhaustive exploration of one program covered, and the first failing schedule.</summary>
/// <param name="Schedules">Complete runs judged: one per class of equivalent interleavings.</param>
/// <param name="SleepBlocked">Branches cut because every runnable thread's step was already covered in another order.</param>
/// <param name="Exhaustive">True when every schedule was covered (or, without keepGoing, every one up to the first failure); false when a bound stopped it first.</param>
/// <param name="DistinctResults">Distinct verdicts and final worlds among the runs judged.</param>
/// <param name="Counterexample">The program with the failing schedule, replayable; null when none failed.</param>
public sealed record ExploreResult(
    ConcurrentProgram Program,
    string Implementation,
    long Schedules,
    long SleepBlocked,
    long Steps,
    bool Exhaustive,
    TimeSpan Time,
    int DistinctResults,
    ConcurrentProgram? Counterexample,
    Outcome? Failure
);

/// <summary>
/// Bounded-exhaustive exploration of a program's schedules, depth-first with sleep sets (partial-order
/// reduction, Godefroid 1996): after a thread's step has been explored at a point, it sleeps in the
/// other branches until a step that does not commute with it runs, so two interleavings that differ only
/// in the order of independent steps (disjoint footprints) are judged once. Each complete run is judged
/// like a campaign's: no panic, no hang, invariants, and linearizability against the reference.
/// The machine cannot be copied, so a branch replays its prefix from a fresh world. With
/// <paramref name="reduce"/> off every interleaving is run: the yardstick the reduction is tested against;
/// with <paramref name="keepGoing"/> the exploration goes on past a failure (the first is still reported).
/// </summary>
public sealed class Explorer(
    bool afterDiff,
    FaultSet faults,
    TimeSpan limit,
    long maxSchedules,
    bool reduce = true,
    bool keepGoing = false
)
{
    private readonly HashSet<string> _results = [];
    private readonly SteppedMachine _machine = new(afterDiff, faults);
    private readonly Linearizability _oracle = new();
    private readonly List<byte> _path = [];
    private ConcurrentProgram _program = null!;
    private Linearizability.Allowed _allowed = null!;
    private Stopwatch _clock = new();
    private long _schedules;
    private long _sleepBlocked;
    private long _steps;
    private bool _cut;
    private ConcurrentProgram? _counterexample;
    private Outcome? _failure;

    /// <summary>Called about every five seconds of a long exploration with the schedules judged so far.</summary>
    public Action<long, TimeSpan>? Progress { get; init; }

    private TimeSpan _lastProgress;

    public string Implementation { get; } =
        (afterDiff ? "after-002" : "before-002") + (faults.IsNone ? "" : "+" + faults);

    public ExploreResult Explore(ConcurrentProgram program)
    {
        _program = program with { Schedule = "" };
        _allowed = _oracle.For(_program);
        _clock = Stopwatch.StartNew();
        _schedules = _sleepBlocked = _steps = 0;
        _cut = false;
        _lastProgress = TimeSpan.Zero;
        _counterexample = null;
        _failure = null;
        _path.Clear();
        _results.Clear();
        Replay();
        Visit([]);
        return new ExploreResult(
            _program,
            Implementation,
            _schedules,
            _sleepBlocked,
            _steps,
            !_cut,
            _clock.Elapsed,
            _results.Count,
            _counterexample,
            _failure
        );
    }

    private bool Stopped => _cut || (_counterexample is not null && !keepGoing);

    /// <summary>The verdicts and final worlds of the last exploration's runs, each once.</summary>
    public IReadOnlyCollection<string> ResultsSeen => _results;

    private void Replay()
    {
        ProgramRun.Start(_machine, _program);
        foreach (byte t in _path)
            _machine.Run(t);
        _steps += _path.Count;
    }

    private void Visit(List<(int Thread, ulong Footprint)> sleep)
    {
        if (Stopped)
            return;
        if (_machine.Failure is null && !_machine.Finished && _machine.Deadlock() is null)
        {
            Branch(sleep);
            return;
        }
        _schedules++;
        var outcome = SteppedProgramSide.Judge(_machine, _allowed);
        _results.Add(outcome == Outcome.Ok ? ProgramRun.Key(_machine, out _) : outcome.ToString());
        if (outcome != Outcome.Ok && _counterexample is null)
        {
            _counterexample = _program with { Schedule = ConcurrentProgram.ScheduleText(_path.Select(t => (int)t)) };
            _failure = outcome;
        }
        if (_schedules % 256 != 0 && _schedules < maxSchedules)
            return;
        var elapsed = _clock.Elapsed;
        if (_schedules >= maxSchedules || elapsed >= limit)
            _cut = true;
        else if (Progress is not null && elapsed - _lastProgress >= TimeSpan.FromSeconds(5))
        {
            _lastProgress = elapsed;
            Progress(_schedules, elapsed);
        }
    }

    private void Branch(List<(int Thread, ulong Footprint)> sleep)
    {
        int threads = _machine.ThreadCount;
        Span<ulong> footprints = stackalloc ulong[SteppedMachine.MaxThreads];
        Span<bool> runnable = stackalloc bool[SteppedMachine.MaxThreads];
        for (int t = 0; t < threads; t++)
        {
            runnable[t] = _machine.IsRunnable(t);
            if (runnable[t])
                footprints[t] = _machine.FootprintOf(t);
        }
        int last = _path.Count > 0 ? _path[^1] : 0;
        var done = new List<(int Thread, ulong Footprint)>(threads);
        bool fresh = true;
        for (int k = 0; k < threads && !Stopped; k++)
        {
            int t = k == 0 ? last : (k <= last ? k - 1 : k);
            if (!runnable[t] || (reduce && Asleep(sleep, t)))
                continue;
            if (!fresh)
                Replay();
            fresh = false;
            var childSleep = new List<(int Thread, ulong Footprint)>(threads);
            foreach (var entry in sleep)
            {
                if ((entry.Footprint & footprints[t]) == 0)
                    childSleep.Add(entry);
            }
            foreach (var entry in done)
            {
                if ((entry.Footprint & footprints[t]) == 0)
                    childSleep.Add(entry);
            }
            _machine.Run(t);
            _steps++;
            _path.Add((byte)t);
            Visit(childSleep);
            _path.RemoveAt(_path.Count - 1);
            done.Add((t, footprints[t]));
        }
        if (fresh)
            _sleepBlocked++;
    }

    private static bool Asleep(List<(int Thread, ulong Footprint)> sleep, int t)
    {
        foreach (var entry in sleep)
        {
            if (entry.Thread == t)
                return true;
        }
        return false;
    }
}
