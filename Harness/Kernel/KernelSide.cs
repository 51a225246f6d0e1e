using UvmDiff.Harness.Core;
using UvmDiff.Harness.Pmap;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// The kernel's own facts as text and as hashes; <paramref name="files"/> false leaves the files out. The
/// facts every step reports again (processes, page owners, counters) keep their last hash: a fact's hash
/// depends on its fields alone, so one whose fields are the last walk's has the last walk's hash.
/// </summary>
public sealed partial class KernelFacts(List<string>? lines, bool files = true) : IKernelFactSink
{
    public ulong Sum;

    public bool WantsFiles => files;

    /// <summary>The fact of process p alive (index 2p + 1) or dead (2p).</summary>
    private static readonly ulong[] ProcessFacts =
    [
        .. Enumerable.Range(0, 2 * KernelWorld.Processes).Select(i => FactHash.Of(41, i / 2, i % 2)),
    ];

    private readonly (int Anon, ulong Hash)[] _owners = [.. Enumerable.Repeat((-1, 0UL), KernelWorld.Pages)];
    private (long Faults, long Allocated, long Freed, ulong Hash) _counters = (-1, -1, -1, 0);

    public void Process(int pid, bool alive)
    {
        Sum += ProcessFacts[2 * pid + (alive ? 1 : 0)];
        lines?.Add($"p{pid} {(alive ? "alive" : "dead")}");
    }

    public void PageOwner(int page, int anon)
    {
        if (_owners[page].Anon != anon)
            _owners[page] = (anon, FactHash.Of(42, page, anon));
        Sum += _owners[page].Hash;
        lines?.Add($"page {page} backs anon {anon}");
    }

    public void Counters(long faults, long allocated, long freed)
    {
        if ((_counters.Faults, _counters.Allocated, _counters.Freed) != (faults, allocated, freed))
            _counters = (faults, allocated, freed, FactHash.Of(43, faults, allocated, freed));
        Sum += _counters.Hash;
        lines?.Add($"counters: {faults} faults, {allocated} pages allocated, {freed} freed");
    }

    public void FilePage(int file, long offset, int page, bool clean, QueueKind queue, long data)
    {
        Sum += FactHash.Of(44, file, offset, page, (clean ? 1 : 0) | (int)queue << 1, data);
        lines?.Add(
            $"file {file} @0x{offset:x}: page {page} {(clean ? "clean" : "dirty")} {queue.ToString().ToLowerInvariant()} data {data}"
        );
    }

    public void FileBlock(int file, int block, long data)
    {
        Sum += FactHash.Of(45, file, block, data);
        lines?.Add($"file {file} block {block}: data {data}");
    }

    public void QueuedPage(QueueKind queue, int position, int page)
    {
        Sum += FactHash.Of(46, (int)queue, position, page);
        lines?.Add($"{queue.ToString().ToLowerInvariant()} queue {position}: page {page}");
    }
}

/// <summary>
/// One kernel machine driven by ops. The observation: per process whether it lives and its map entry by
/// entry (with amaps, anons and wire counts: the same amap or anon number in two processes is one shared
/// amap or anon), the pmap's CPUs, translations, pages and PV lists, and the kernel's page owners (the
/// anon each page backs) and counters. The fingerprint takes each map's from its machine (incremental on
/// the tree maps), the amaps' and anons' once from the kernel (processes share them after fork), the
/// files' sum again only after the object layer listed a change (<see cref="IKernelMachine.FileChanges"/>),
/// and walks the pmap and page table, which are small (six pages).
/// </summary>
public sealed partial class KernelSide(string name, IKernelMachine machine, Func<long[]> probes) : ISide<KernelOp>
{
    public string Name { get; } = name;

    public IKernelMachine Machine { get; } = machine;

    public long[] ProbeCounts => probes();

    /// <summary>
    /// Back to the initial world, which is the same after every reset: its core, files' and pmap sums are
    /// walked after the first reset and taken as they were after the others (the full walk every 16 steps
    /// and a sampled sequence's text would show a reset that left something behind).
    /// </summary>
    public void Reset()
    {
        Machine.Reset();
        if (_initialSums is not { } initial)
        {
            _coreSum.Sum = _fileSum.Sum = 0;
            Machine.WalkKernel(_coreSum);
            Machine.WalkFiles(_fileSum);
            initial = (_coreSum.Sum, _fileSum.Sum, SumPmap(_pmapSum));
            _initialSums = initial;
        }
        (_coreSum.Sum, _fileSum.Sum, _pmapSum.Sum) = initial;
        _coreSummedAt = Machine.CoreChanges;
        _filesSummedAt = Machine.FileChanges;
        _pmapSummedAt = Machine.PmapChanges;
    }

    private (ulong Core, ulong Files, ulong Pmap)? _initialSums;

    public Outcome Apply(KernelOp op)
    {
        _lastSleeps = "";
        try
        {
            return Execute(op);
        }
        catch (KernelPanic panic)
        {
            return Outcome.Panic(panic.Message);
        }
        catch (SimulationLimit limit)
        {
            return Outcome.Hang(limit.Message);
        }
    }

    /// <summary>The op on the machine; the commonest kinds (accesses, switches) are tested first.</summary>
    private Outcome Execute(KernelOp op)
    {
        string? error;
        switch (op)
        {
            case CpuAccess a:
                error = Machine.Access(a.Cpu, a.Va, a.Access, out int page);
                if (error is null)
                    return PageOutcomes[page];
                break;
            case CpuSwitch s:
                error = Machine.Switch(s.Cpu, s.Pid);
                break;
            case ProcMmap { Addr: { } addr } m:
                error = Machine.Mmap(m.Pid, addr, Bytes(m.Pages), m.Prot, m.Kind);
                break;
            case ProcMmap m:
                error = Machine.MmapAnywhere(m.Pid, Bytes(m.Pages), m.Prot, m.Kind, out ulong chosen);
                if (error is null)
                    return Outcome.Of((long)chosen, "0x" + chosen.ToString("x"));
                break;
            case ProcMunmap u:
                error = Machine.Munmap(u.Pid, u.Addr, Bytes(u.Pages));
                break;
            case ProcMprotect p:
                error = Machine.Mprotect(p.Pid, p.Addr, Bytes(p.Pages), p.Prot);
                break;
            case ProcMlock { Unlock: false } l:
                error = Machine.Mlock(l.Pid, l.Addr, Bytes(l.Pages));
                break;
            case ProcMlock l:
                error = Machine.Munlock(l.Pid, l.Addr, Bytes(l.Pages));
                break;
            case ProcExit e:
                error = Machine.Exit(
                    e.Pid,
                    e.DuringPage is { } walked
                        ? new Spec.Pmap.PvWalk(e.At, Spec.Pmap.PvWalkKind.ClearReference, walked)
                        : null
                );
                break;
            case ProcSpawn s:
                error = Machine.Spawn(s.Pid);
                break;
            case ProcFork f:
                error = Machine.Fork(f.Parent, f.Child);
                break;
            case ProcMinherit i:
                error = Machine.Minherit(i.Pid, i.Addr, Bytes(i.Pages), i.Inherit);
                break;
            case WhileAsleep w:
                return Asleep(w);
            case RaceOp race:
                return ExecuteRace(race);
            default:
                return ExecuteFileOp(op);
        }
        return StatusOf(error);
    }

    private static Outcome StatusOf(string? error) =>
        error == KernelWorld.OutOfPages
            ? Outcome.Hang("uvm_wait: no free page, and no pagedaemon to free one")
            : Outcome.Status(error);

    private static readonly Outcome[] PageOutcomes = Outcome.PageOutcomes(KernelWorld.Pages);

    private static ulong Bytes(int pages) => (ulong)pages << MapConst.PageShift;

    public string? CheckInvariants() => Machine.Check(full: false);

    public string? CheckAllInvariants() => Machine.Check(full: true);

    private readonly PmapHashObserver _pmapSum = new(cpus: false);
    private readonly PmapHashObserver _fullPmapSum = new();
    private readonly SplitMapSum _fullMapSum = new();
    private readonly KernelFacts _kernelSum = new(null);
    private readonly KernelFacts _coreSum = new(null, files: false);
    private readonly KernelFacts _fileSum = new(null);

    /// <summary>The machine's <see cref="IKernelMachine.FileChanges"/> when <see cref="_fileSum"/> was walked; -1 after a reset.</summary>
    private long _filesSummedAt = -1;

    /// <summary>The pmap's change count (CPU switches left out) when <see cref="_pmapSum"/>, which leaves the CPUs out, was walked.</summary>
    private long _pmapSummedAt = -1;

    /// <summary>The machine's <see cref="IKernelMachine.CoreChanges"/> when <see cref="_coreSum"/> was walked; -1 after a reset.</summary>
    private long _coreSummedAt = -1;

    /// <summary>Each process's last map sum and the hash of its fact, kept as <see cref="KernelFacts"/> keeps its own.</summary>
    private readonly (ulong MapSum, ulong Hash)[] _processFacts = new (ulong, ulong)[KernelWorld.Processes];

    private ulong ForProcess(int pid, ulong mapSum)
    {
        ref var fact = ref _processFacts[pid];
        if (fact.Hash == 0 || fact.MapSum != mapSum)
            fact = (mapSum, FactHash.Of(40, pid, (long)mapSum));
        return fact.Hash;
    }

    public ulong Fingerprint()
    {
        ulong sum = 0;
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
            sum += ForProcess(pid, Machine.MapFingerprint(pid));
        long coreChanges = Machine.CoreChanges;
        if (coreChanges != _coreSummedAt)
        {
            _coreSum.Sum = 0;
            Machine.WalkKernel(_coreSum);
            _coreSummedAt = coreChanges;
        }
        long fileChanges = Machine.FileChanges;
        if (fileChanges != _filesSummedAt)
        {
            _fileSum.Sum = 0;
            Machine.WalkFiles(_fileSum);
            _filesSummedAt = fileChanges;
        }
        long pmapChanges = Machine.PmapChanges;
        if (pmapChanges != _pmapSummedAt)
        {
            SumPmap(_pmapSum);
            _pmapSummedAt = pmapChanges;
        }
        for (int cpu = 0; cpu < KernelWorld.Cpus; cpu++)
            sum += PmapHashObserver.CpuFact(cpu, Machine.RunningOn(cpu));
        return sum + Machine.AnonFingerprint() + _pmapSum.Sum + _coreSum.Sum + _fileSum.Sum;
    }

    public ulong FullFingerprint()
    {
        ulong sum = 0;
        var anons = _fullMapSum;
        anons.Begin();
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            ulong before = anons.Own;
            Machine.WalkMap(pid, anons);
            sum += ForProcess(pid, anons.Own - before);
        }
        _kernelSum.Sum = 0;
        Machine.WalkKernel(_kernelSum);
        return sum + anons.Shared + SumPmap(_fullPmapSum) + _kernelSum.Sum;
    }

    /// <summary>The pmap's facts summed into <paramref name="into"/>: the full walk has its own sum, so it never refreshes the kept one it is compared with.</summary>
    private ulong SumPmap(PmapHashObserver into)
    {
        into.Sum = 0;
        Machine.WalkPmap(into);
        return into.Sum;
    }

    public IReadOnlyList<string> Observe()
    {
        var lines = new List<string>();
        Machine.WalkKernel(new KernelFacts(lines));
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            var text = new MapTextObserver();
            Machine.WalkMap(pid, text);
            foreach (var line in text.Lines())
                lines.Add($"p{pid} {line}");
        }
        var pmap = new PmapTextObserver();
        Machine.WalkPmap(pmap);
        lines.AddRange(pmap.Lines);
        return lines;
    }
}

public sealed partial class KernelFacts
{
    public void AnonSlot(int anon, int slot)
    {
        Sum += FactHash.Of(51, anon, slot);
        lines?.Add($"anon {anon}: swap slot {slot}");
    }

    public void AnonPageClean(int page)
    {
        Sum += FactHash.Of(52, page);
        lines?.Add($"page {page}: clean");
    }
}
