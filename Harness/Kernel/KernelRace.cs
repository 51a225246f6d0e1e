using UvmDiff.Harness.Core;
using UvmDiff.Implementations.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// Two CPUs running kernel work at once: side <paramref name="A"/> on CPU 0, side <paramref name="B"/> on
/// CPU 1, each a one-page op whose page-level part seed 002 changed (munmap and exit of anon memory,
/// mlock, munlock, a fault, the page daemon's deactivate or free, msync(MS_INVALIDATE) or madvise(MADV_FREE)), and
/// <paramref name="Schedule"/>, one letter per step of the page-level part (<c>a</c> or <c>b</c>), as the
/// concurrency layer's programs take it.
/// </summary>
/// <remarks>
/// The op's meaning is sequential: the side the schedule names first runs first, then the other (side a
/// first when the schedule is empty), each through its kernel's ordinary path; the result is both sides'
/// results. The reference kernel does only that. A composed kernel runs the same, then runs the two sides'
/// page-level calls again, interleaved by the schedule, on the concurrency layer's stepped machine from
/// the pages' state before the race (<see cref="IRacingKernel"/>): a panic there (a page freed twice or
/// touched after its free, mutex recursion), a deadlock, or a broken invariant at the end (uvmexp.wired
/// against the wired pages, the queues against their counters, a freed page still mapped) is the op's
/// outcome. The order is the op's convention; the stepped run is judged only by its failures, which a
/// correct implementation has in no interleaving. Where both sides take one owner lock the convention is
/// also what a correct run does: the thread the schedule starts takes the lock first.
/// </remarks>
public sealed record RaceOp(KernelOp A, KernelOp B, string Schedule) : KernelOp
{
    /// <summary>0 when side a runs first in the sequential meaning, 1 for side b.</summary>
    public int FirstSide => Schedule.Length > 0 && Schedule[0] == 'b' ? 1 : 0;

    public KernelOp Side(int side) => side == 0 ? A : B;

    /// <summary>The schedule as the stepped machine takes it: a thread number per step.</summary>
    public byte[] Threads()
    {
        var threads = new byte[Schedule.Length];
        for (int i = 0; i < threads.Length; i++)
            threads[i] = (byte)(Schedule[i] - 'a');
        return threads;
    }

    public override string ToString() => $"race [{A}] [{B}] {(Schedule.Length == 0 ? "-" : Schedule)}";

    /// <summary>What the composed kernels record of a side's page-level work. => the side is one <see cref="IsSide"/> accepts</summary>
    public static RaceWork WorkOf(KernelOp side) =>
        side switch
        {
            ProcMunmap => RaceWork.Unmap,
            ProcExit => RaceWork.Exit,
            ProcMlock { Unlock: false } => RaceWork.Wire,
            ProcMlock => RaceWork.Unwire,
            CpuAccess => RaceWork.Fault,
            PageDaemonOp { Action: DaemonAction.Deactivate } => RaceWork.Deactivate,
            PageDaemonOp => RaceWork.DaemonFree,
            _ => RaceWork.Flush,
        };

    /// <summary>=> null when <paramref name="op"/> can run as side <paramref name="side"/>, else why not</summary>
    public static string? IsSide(KernelOp op, int side) =>
        op switch
        {
            ProcMunmap { Pages: 1 } or ProcMlock { Pages: 1 } => null,
            ProcMadvise { Pages: 1, Mode: MadviseMode.Free } => null,
            ProcMsync { Pages: 1, Mode: MsyncMode.Invalidate } => null,
            ProcExit { DuringPage: null } => null,
            PageDaemonOp { Action: DaemonAction.Deactivate or DaemonAction.Free } => null,
            CpuAccess access when access.Cpu == side => null,
            CpuAccess => $"side {(char)('a' + side)} of a race runs on cpu{side}",
            ProcMunmap or ProcMlock or ProcMadvise or ProcMsync => "a side of a race works on one page (+1)",
            _ =>
                $"'{op}' cannot be a side of a race: munmap, mlock, munlock, an access, exit, pagedaemon deactivate|free, madvise free, msync invalidate",
        };
}

public static partial class KernelOpParser
{
    /// <summary><c>race [op on cpu0] [op on cpu1] schedule</c>, the schedule a word of a and b, or <c>-</c>.</summary>
    private static RaceOp ParseRace(string line)
    {
        const string Usage = "a race reads 'race [op] [op] schedule', the schedule letters a and b, or -";
        string rest = line.Trim()["race".Length..].TrimStart();
        var sides = new KernelOp[2];
        for (int side = 0; side < 2; side++)
        {
            int close = rest.IndexOf(']');
            if (!rest.StartsWith('[') || close < 0)
                throw new FormatException(Usage);
            string inner = rest[1..close];
            if (inner.Contains('[') || inner.Trim().StartsWith("race"))
                throw new FormatException("a side of a race is one op, not a race");
            sides[side] = Parse(inner);
            if (RaceOp.IsSide(sides[side], side) is { } why)
                throw new FormatException(why);
            rest = rest[(close + 1)..].TrimStart();
        }
        if (rest.Length == 0 || rest.Contains(' '))
            throw new FormatException(Usage);
        string schedule = rest == "-" ? "" : rest;
        foreach (char letter in schedule)
        {
            if (letter is not ('a' or 'b'))
                throw new FormatException($"'{rest}' is not a schedule of a and b (or -)");
        }
        return new RaceOp(sides[0], sides[1], schedule);
    }
}

public sealed partial class KernelSide
{
    /// <summary>
    /// The race's sequential meaning, each side through this kernel's ordinary path in the order the
    /// schedule fixes; a kernel that races (<see cref="IRacingKernel"/>) records each side's page-level
    /// calls and then runs them interleaved. => both results, or the first fatal one
    /// </summary>
    private Outcome ExecuteRace(RaceOp race)
    {
        var racing = Machine as IRacingKernel;
        racing?.BeginRace();
        var results = new Outcome[2];
        for (int i = 0; i < 2; i++)
        {
            int side = i == 0 ? race.FirstSide : 1 - race.FirstSide;
            var op = race.Side(side);
            racing?.BeginSide(side, RaceOp.WorkOf(op));
            results[side] = Execute(op);
            if (results[side].IsFatal)
                return results[side];
            racing?.EndSide();
        }
        racing?.EndRace(race.Threads());
        return Outcome.Of(0, $"a: {results[0]}, b: {results[1]}");
    }
}

public static partial class KernelGen
{
    /// <summary>Percent of sequences that start with a race on pages a mapping just made resident.</summary>
    private const int RaceShare = 25;

    /// <summary>The most ops <see cref="Raced"/> cannot do without: a switch each way, three mappings (two file pages, two anon pages), four accesses, a race.</summary>
    private const int RacePrelude = 10;

    private static readonly DaemonAction[] RaceDaemonActions = [DaemonAction.Deactivate, DaemonAction.Free];

    /// <summary>
    /// A race to start from: a process on CPU 0 (and it or another on CPU 1) maps one or two pages of a
    /// file, shared, or of anonymous memory (a mapping, so an amap, each), or both side by side, and
    /// touches them (the pages are handed out lowest first, so physical page i backs the i-th page
    /// touched); maybe wires an anon page, and maybe makes it PROT_NONE, which removes its translation,
    /// so that the unwiring of munmap or exit (uvm_fault_unwire_locked) finds no page and the page is freed
    /// wired; maybe lets the page daemon deactivate a file page and msync clean it; then a race whose sides
    /// aim at those pages, and maybe a second. => at most <paramref name="count"/> ops
    /// </summary>
    private static void Raced(ref Rng rng, ulong window, int count, List<KernelOp> into)
    {
        if (rng.Chance(25))
        {
            WiredDrift(ref rng, window, into);
            return;
        }
        int pid = rng.Below(KernelWorld.Processes);
        int other = rng.Chance(50) ? pid : (pid + 1) % KernelWorld.Processes;
        int filePages = rng.Below(10) < 3 ? 0 : rng.Between(1, 2);
        int anonPages =
            filePages > 0 && rng.Chance(50) ? 0
            : rng.Chance(65) ? 2
            : 1;
        int pages = filePages + anonPages;
        ulong addr = WindowAddr(ref rng, window);
        ulong anonAddr = addr + ((ulong)filePages << MapConst.PageShift);
        int room = count - (2 + (filePages > 0 ? 1 : 0) + anonPages + pages + 1);
        if (other != pid && room < 2)
            other = pid;
        into.Add(new CpuSwitch(0, pid));
        if (other != pid)
        {
            into.Add(new ProcExit(other));
            into.Add(new ProcFork(pid, other));
            room -= 2;
        }
        if (filePages > 0)
            into.Add(
                new ProcMmapFile(pid, addr, filePages, Prot.RW, rng.Between(1, KernelFiles.Count), 0, Shared: true)
            );
        for (int i = 0; i < anonPages; i++)
            into.Add(new ProcMmap(pid, anonAddr + ((ulong)i << MapConst.PageShift), 1, Prot.RW, rng.Chance(50)));
        for (int i = 0; i < pages; i++)
            into.Add(new CpuAccess(0, addr + ((ulong)i << MapConst.PageShift), rng.Chance(i < filePages ? 30 : 80)));
        into.Add(new CpuSwitch(1, other));
        int aimed = rng.Below(pages);
        if (anonPages > 0 && room >= 2 && rng.Chance(60))
        {
            aimed = filePages + rng.Below(anonPages);
            ulong wired = addr + ((ulong)aimed << MapConst.PageShift);
            into.Add(new ProcMlock(pid, wired, 1, Unlock: false));
            room--;
            if (rng.Chance(60))
            {
                into.Add(new ProcMprotect(pid, wired, 1, Prot.None));
                room--;
            }
        }
        if (filePages > 0 && room >= 2 && rng.Chance(50))
        {
            into.Add(new PageDaemonOp(rng.Below(filePages), DaemonAction.Deactivate));
            room--;
            if (rng.Chance(60))
            {
                into.Add(new ProcMsync(pid, addr, filePages, MsyncMode.Sync));
                room--;
            }
        }
        int races = room >= 1 && rng.Chance(40) ? 2 : 1;
        for (int i = 0; i < races; i++)
            into.Add(Race(ref rng, pid, other, addr, filePages, pages, aimed));
    }

    /// <summary>
    /// Seed 002's second review question at the kernel level: a process maps two pages of anonymous
    /// memory, each its own mapping (so its own amap and am_lock), wires the first and makes it PROT_NONE,
    /// which removes its translation, so that munmap's or exit's uvm_fault_unwire_locked finds no page and
    /// uvm_anfree frees it wired (uvm_pageclean's uvmexp.wired--); the race frees it on one CPU while the
    /// other wires or unwires the second page (uvm_pagewire's or uvm_pageunwire's uvmexp.wired++ or --).
    /// => nine ops at most
    /// </summary>
    private static void WiredDrift(ref Rng rng, ulong window, List<KernelOp> into)
    {
        int pid = rng.Below(KernelWorld.Processes);
        ulong freed = WindowAddr(ref rng, window);
        ulong other = freed + MapConst.PageSize;
        into.Add(new CpuSwitch(0, pid));
        into.Add(new CpuSwitch(1, pid));
        into.Add(new ProcMmap(pid, freed, 1, Prot.RW, rng.Chance(30)));
        into.Add(new ProcMmap(pid, other, 1, Prot.RW, rng.Chance(30)));
        into.Add(new ProcMlock(pid, freed, 1, Unlock: false));
        into.Add(new ProcMprotect(pid, freed, 1, Prot.None));
        bool otherWired = rng.Chance(30);
        into.Add(otherWired ? new ProcMlock(pid, other, 1, Unlock: false) : new CpuAccess(0, other, Write: true));
        KernelOp free = rng.Chance(80) ? new ProcMunmap(pid, freed, 1) : new ProcExit(pid);
        int wiring = rng.Chance(50) ? 0 : 1;
        KernelOp wire = new ProcMlock(pid, other, 1, Unlock: otherWired);
        into.Add(wiring == 0 ? new RaceOp(wire, free, Schedule(ref rng)) : new RaceOp(free, wire, Schedule(ref rng)));
    }

    /// <summary>
    /// A race between two sides aimed at the <paramref name="pages"/> pages at <paramref name="addr"/>:
    /// side a at page <paramref name="aimed"/> (the one the prelude wired, if it did) half the time, side b
    /// mostly at another page.
    /// </summary>
    private static RaceOp Race(ref Rng rng, int pid, int other, ulong addr, int filePages, int pages, int aimed)
    {
        int first = rng.Chance(50) ? aimed : rng.Below(pages);
        int second = pages > 1 && rng.Chance(60) ? (first + rng.Between(1, pages - 1)) % pages : rng.Below(pages);
        return new(
            RaceSide(ref rng, 0, pid, addr, first, first < filePages),
            RaceSide(ref rng, 1, other, addr, second, second < filePages),
            Schedule(ref rng)
        );
    }

    /// <summary>
    /// A side at the <paramref name="page"/>-th page: an access, munmap, exit, and for a file page the
    /// page daemon on it, MADV_FREE or MS_INVALIDATE, for an anon page mlock or munlock.
    /// </summary>
    private static KernelOp RaceSide(ref Rng rng, int side, int pid, ulong addr, int page, bool file)
    {
        ulong va = addr + ((ulong)page << MapConst.PageShift);
        return (rng.Below(12), file) switch
        {
            (< 3, _) => new CpuAccess(side, va, rng.Chance(30)),
            (< 6, _) => new ProcMunmap(pid, va, 1),
            (< 7, _) => new ProcExit(pid),
            (< 10, true) => new PageDaemonOp(page, rng.Pick<DaemonAction>(RaceDaemonActions)),
            (_, true) => rng.Chance(60)
                ? new ProcMadvise(pid, va, 1, MadviseMode.Free)
                : new ProcMsync(pid, va, 1, MsyncMode.Invalidate),
            _ => new ProcMlock(pid, va, 1, Unlock: rng.Chance(40)),
        };
    }

    /// <summary>
    /// No schedule; or one to three runs of a side's steps, the first one to twelve long (where the
    /// routines' loads and stores are), the others up to twenty-four (a preemption at a point); or the
    /// sides taking turns step by step for up to forty steps after a run of one side (two routines'
    /// loads and stores interleaved finely).
    /// </summary>
    private static string Schedule(ref Rng rng)
    {
        if (rng.Chance(15))
            return "";
        var letters = new System.Text.StringBuilder();
        char letter = rng.Chance(50) ? 'a' : 'b';
        if (rng.Chance(45))
        {
            letters.Append(letter, rng.Below(8));
            int turns = rng.Between(4, 40);
            for (int i = 0; i < turns; i++)
                letters.Append(i % 2 == 0 ? letter : Other(letter));
            return letters.ToString();
        }
        int runs = rng.Between(1, 3);
        for (int run = 0; run < runs; run++)
        {
            letters.Append(letter, run == 0 ? rng.Between(1, 12) : rng.Between(1, 24));
            letter = Other(letter);
        }
        return letters.ToString();
    }

    private static char Other(char letter) => letter == 'a' ? 'b' : 'a';
}

public static partial class KernelShrink
{
    /// <summary>A race towards the plainest: either side alone, a shorter schedule, no schedule, a side shrunk in place.</summary>
    private static IEnumerable<KernelOp> Race(RaceOp race)
    {
        yield return race.A;
        yield return race.B;
        if (race.Schedule.Length > 0)
        {
            yield return race with
            {
                Schedule = "",
            };
            yield return race with
            {
                Schedule = race.Schedule[..^1],
            };
            for (int i = 1; i < race.Schedule.Length; i++)
            {
                if (race.Schedule[i] != race.Schedule[i - 1])
                    yield return race with
                    {
                        Schedule = race.Schedule.Remove(i - 1, 1),
                    };
            }
        }
        foreach (var a in Op(race.A))
        {
            if (RaceOp.IsSide(a, 0) is null)
                yield return race with
                {
                    A = a,
                };
        }
        foreach (var b in Op(race.B))
        {
            if (RaceOp.IsSide(b, 1) is null)
                yield return race with
                {
                    B = b,
                };
        }
    }
}
