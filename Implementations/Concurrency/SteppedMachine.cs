namespace UvmDiff.Implementations.Concurrency;

/// <summary>One step a run took: which thread, and what it did.</summary>
public readonly record struct TakenStep(int Thread, Step Step);

/// <summary>
/// The stepped kernel with up to three threads on two CPUs (threads 0 and 2 share CPU 0, thread 1 has
/// CPU 1). The scheduler outside picks which runnable thread takes its next step: a thread is runnable
/// when it has steps left, the lock its next step takes is free (or already its own: running that step
/// is the mutex-recursion panic), and no thread sharing its CPU holds a mutex. A panic in a step, a
/// deadlock, or a broken invariant once every thread has finished is the run's <see cref="Failure"/>.
/// </summary>
public sealed class SteppedMachine
{
    public const int MaxThreads = 3;

    public readonly SteppedWorld World = new();
    private readonly CallerSteps _callers;
    private readonly SteppedThread[] _threads = [new(), new(), new()];
    private int _threadCount;

    public SteppedMachine(bool afterDiff, FaultSet faults)
    {
        _callers = new CallerSteps(World, afterDiff, faults, ProbeCounts);
    }

    public long[] ProbeCounts { get; } = new long[ConcurrencyProbes.Names.Count];

    public int ThreadCount => _threadCount;

    /// <summary>"Panic(...)" or "Hang(...)" text once the run failed, else null.</summary>
    public string? Failure { get; private set; }

    public bool FailureIsHang { get; private set; }

    /// <summary>The steps taken so far, when <see cref="KeepLog"/> is set.</summary>
    public List<TakenStep> Log { get; } = [];

    public bool KeepLog { get; set; }

    public int StepsTaken { get; private set; }

    public SteppedThread Thread(int index) => _threads[index];

    /// <summary>Empty world of <paramref name="owners"/>; place pages through <see cref="World"/>, then <see cref="Start"/>.</summary>
    public void Reset(ReadOnlySpan<SlotOwner> owners)
    {
        World.Reset(owners);
        Failure = null;
        FailureIsHang = false;
        StepsTaken = 0;
        Log.Clear();
        _threadCount = 0;
    }

    /// <summary>Start the threads, each running its calls in order.</summary>
    public void Start(IReadOnlyList<IReadOnlyList<(CallName Call, int Slot)>> programs)
    {
        if (programs.Count > MaxThreads)
            throw new ArgumentException($"at most {MaxThreads} threads");
        _threadCount = programs.Count;
        for (int t = 0; t < _threadCount; t++)
        {
            var thread = _threads[t];
            thread.Results.Clear();
            thread.Result = "";
            thread.Done = false;
            thread.Body = Body(t, thread, programs[t]).GetEnumerator();
            Advance(t);
        }
        if (Finished)
            Failure = World.Check();
    }

    private IEnumerable<Step> Body(int t, SteppedThread thread, IReadOnlyList<(CallName Call, int Slot)> calls)
    {
        foreach (var (call, slot) in calls)
        {
            foreach (var step in _callers.Call(t, thread, call, slot))
                yield return step;
            thread.Results.Add(thread.Result);
        }
    }

    public bool Finished
    {
        get
        {
            for (int t = 0; t < _threadCount; t++)
            {
                if (!_threads[t].Done)
                    return false;
            }
            return true;
        }
    }

    public Step Pending(int t) => _threads[t].Body!.Current;

    public bool IsRunnable(int t)
    {
        var thread = _threads[t];
        if (thread.Done || Failure is not null)
            return false;
        var step = thread.Body!.Current;
        if (step.Kind == StepKind.Acquire)
        {
            int holder = World.Holder[step.Lock];
            if (holder != SteppedWorld.Nil && holder != t)
                return false;
        }
        for (int u = 0; u < _threadCount; u++)
        {
            if (u != t && u % 2 == t % 2 && World.Holder[Locks.Pageq] == u)
                return false;
        }
        return true;
    }

    /// <summary>The footprint of thread <paramref name="t"/>'s next step, for partial-order reduction.</summary>
    public ulong FootprintOf(int t)
    {
        var step = Pending(t);
        ulong footprint = step.Footprint;
        if (_threadCount <= 2 || t == 1)
            return footprint;
        if (step.Kind != StepKind.Plain && Locks.IsMutex(step.Lock))
            return footprint | Footprints.CpuMateOfThread0 | Footprints.CpuMateOfThread2;
        return footprint | (t == 0 ? Footprints.CpuMateOfThread0 : Footprints.CpuMateOfThread2);
    }

    /// <summary>Run thread <paramref name="t"/>'s next step. => t is runnable</summary>
    public void Run(int t)
    {
        var thread = _threads[t];
        var step = thread.Body!.Current;
        if (KeepLog)
            Log.Add(new TakenStep(t, step));
        StepsTaken++;
        try
        {
            if (step.Kind == StepKind.Acquire)
            {
                if (World.Holder[step.Lock] == t)
                    throw new SteppedPanic(
                        Locks.IsMutex(step.Lock)
                            ? $"mtx_enter: {Locks.Names[step.Lock]} locking against myself"
                            : $"rw_enter: {Locks.Names[step.Lock]} locking against myself"
                    );
                World.Holder[step.Lock] = t;
            }
            else if (step.Kind == StepKind.Release)
            {
                if (World.Holder[step.Lock] != t)
                    throw new SteppedPanic($"{Locks.Exit[step.Lock]}: not held by this thread");
                World.Holder[step.Lock] = SteppedWorld.Nil;
            }
            Advance(t);
        }
        catch (SteppedPanic panic)
        {
            Failure = panic.Message;
        }
        if (Failure is null && Finished)
        {
            if (World.Check() is { } broken)
                Failure = broken;
        }
    }

    private void Advance(int t)
    {
        var thread = _threads[t];
        if (!thread.Body!.MoveNext())
            thread.Done = true;
    }

    /// <summary>No thread can run but some have steps left: name who waits for what. => null when not deadlocked</summary>
    public string? Deadlock()
    {
        if (Failure is not null || Finished)
            return null;
        for (int t = 0; t < _threadCount; t++)
        {
            if (IsRunnable(t))
                return null;
        }
        var waits = new List<string>();
        for (int t = 0; t < _threadCount; t++)
        {
            if (_threads[t].Done)
                continue;
            var step = Pending(t);
            waits.Add(
                step.Kind == StepKind.Acquire
                    ? $"thread {t} waits for {Locks.Names[step.Lock]} held by thread {World.Holder[step.Lock]}"
                    : $"thread {t} waits for its CPU"
            );
        }
        Failure = "deadlock: " + string.Join("; ", waits);
        FailureIsHang = true;
        return Failure;
    }

    /// <summary>
    /// Run to the end under <paramref name="schedule"/>: step i goes to thread schedule[i] when that thread
    /// is runnable; otherwise, and once the schedule is used up, the thread that stepped last goes on if it
    /// can, else the lowest-numbered runnable thread (the fewest context switches). Stops at a failure.
    /// </summary>
    public void RunSchedule(ReadOnlySpan<byte> schedule)
    {
        int last = 0;
        for (int i = 0; Failure is null && !Finished; i++)
        {
            int next = -1;
            if (i < schedule.Length && schedule[i] < _threadCount)
            {
                if (IsRunnable(schedule[i]))
                    next = schedule[i];
                else if (!_threads[schedule[i]].Done)
                    ProbeCounts[ConcurrencyProbes.LockWaited]++;
            }
            if (next < 0)
                next = IsRunnable(last) ? last : LowestRunnable();
            if (next < 0)
            {
                Deadlock();
                return;
            }
            Run(next);
            last = next;
        }
    }

    private int LowestRunnable()
    {
        for (int t = 0; t < _threadCount; t++)
        {
            if (IsRunnable(t))
                return t;
        }
        return -1;
    }
}
