using UvmDiff.Implementations.Concurrency;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Implementations.Kernel;

/// <summary>
/// What a side of a race does at the page level, as the composed kernel names the calls it records from
/// the side's effect on the pages: a munmap's uvm_anfree (amap_wiperange), an exit's uvm_anfree_list
/// (amap_wipeout), mlock's uvm_pagewire, munlock's uvm_pageunwire, a fault mapping a page in, the page
/// daemon's deactivate or free, uvm_map_clean's flush of a file (its frees).
/// </summary>
public enum RaceWork : byte
{
    Unmap,
    Exit,
    Wire,
    Unwire,
    Fault,
    Deactivate,
    DaemonFree,
    Flush,
}

/// <summary>
/// A kernel whose page-level work can run on two CPUs at once: the harness brackets each side's kernel
/// work, run one side after the other in the order the race's schedule fixes, and at the end the kernel
/// runs that page-level work again, interleaved by the schedule, on the concurrency layer's stepped machine.
/// </summary>
public interface IRacingKernel
{
    /// <summary>The pages' state before either side runs: the stepped world starts from it.</summary>
    void BeginRace();

    /// <summary>Side <paramref name="side"/> (0 on CPU 0, 1 on CPU 1) starts its kernel work.</summary>
    void BeginSide(int side, RaceWork work);

    /// <summary>The side's kernel work is done: the page-level calls it made join its thread.</summary>
    void EndSide();

    /// <summary>
    /// Both sides' page-level calls, interleaved by <paramref name="schedule"/> (thread 0 or 1 per step).
    /// => a <see cref="KernelPanic"/> when the stepped run panics or ends with a broken invariant, a
    ///    <see cref="SimulationLimit"/> when it deadlocks
    /// </summary>
    void EndRace(ReadOnlySpan<byte> schedule);
}

/// <summary>
/// The composed kernel's races: the stepped machine of the concurrency layer (after seed 002's diff, with
/// the concurrency faults of this kernel's fault set) runs the page-level part of both sides. Each side's
/// calls are read off its effect on the physical pages: a wire count that drops is uvm_pageunwire, one that
/// rises uvm_pagewire; a page that leaves its owner was freed (by uvm_anfree, uvm_anfree_list, the flush or
/// the daemon, per the side's work); a page that joins an owner, or gains a mapping in a fault, was faulted
/// in; a file page the page daemon moved from the active to the inactive queue was deactivated. The owner slots are the
/// anons and file offsets the calls name; each starts as the page was before the race (its queue, its wire
/// count, mapped when some pmap maps it), or empty when the owner had no page then. The kernel's own memory
/// (kernel_object, the GEM uao) takes no part: its pages count as free pages here.
/// </summary>
public sealed partial class ComposedKernel : IRacingKernel
{
    private const int RaceSides = 2;

    private readonly SteppedMachine _stepped;
    private readonly RacePages _racePre = new();
    private readonly RacePages _sideBefore = new();
    private readonly RacePages _sideAfter = new();
    private readonly List<(CallName Call, int Slot)>[] _raceCalls =
    [
        [],
        [],
    ];
    private readonly List<long> _raceSlots = [];
    private readonly SlotOwner[] _raceOwners = new SlotOwner[Footprints.MaxSlots];
    private readonly AnonScan _raceScan = new();
    private readonly Dictionary<int, int> _raceAmaps = [];
    private readonly List<int> _raceAmapLocks = [];
    private int _raceSide;
    private RaceWork _raceWork;
    private long _raceFaults;

    /// <summary>The stepped machine's probe counts over every race this kernel ran.</summary>
    public long[] RaceProbes => _stepped.ProbeCounts;

    public void BeginRace()
    {
        _raceAmaps.Clear();
        Snapshot(_racePre);
        _raceSlots.Clear();
        foreach (var calls in _raceCalls)
            calls.Clear();
    }

    public void BeginSide(int side, RaceWork work)
    {
        _raceSide = side;
        _raceWork = work;
        _raceFaults = _faults;
        Snapshot(_sideBefore);
    }

    public void EndSide()
    {
        Snapshot(_sideAfter);
        var calls = _raceCalls[_raceSide];
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            long was = _sideBefore.Key[page];
            for (int n = _sideAfter.Wired[page]; n < _sideBefore.Wired[page] && was != RacePages.Free; n++)
                calls.Add((CallName.Unwire, SlotOf(was)));
        }
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            long was = _sideBefore.Key[page];
            if (was != RacePages.Free && _sideAfter.Key[page] != was)
                calls.Add((FreeCall(was), SlotOf(was)));
        }
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            long now = _sideAfter.Key[page];
            if (now == RacePages.Free)
                continue;
            bool arrived = _sideBefore.Key[page] != now;
            bool mappedIn = _faults != _raceFaults && _sideAfter.Mapped[page] > _sideBefore.Mapped[page];
            if (arrived || (mappedIn && _raceWork == RaceWork.Fault))
                calls.Add((CallName.Fault, SlotOf(now)));
            int base0 = arrived ? 0 : _sideBefore.Wired[page];
            for (int n = base0; n < _sideAfter.Wired[page]; n++)
                calls.Add((CallName.Wire, SlotOf(now)));
            bool deactivated =
                !arrived && _sideBefore.Queue[page] == RacePages.Active && _sideAfter.Queue[page] == RacePages.Inactive;
            if (deactivated && _raceWork == RaceWork.Deactivate)
                calls.Add((CallName.Deactivate, SlotOf(now)));
        }
    }

    /// <summary>Who freed a page that left its owner: uvm_anfree_list on exit, the daemon, else uvm_anfree or a flush.</summary>
    private CallName FreeCall(long key) =>
        _raceWork switch
        {
            RaceWork.DaemonFree => CallName.DaemonFree,
            RaceWork.Exit when key > 0 => CallName.AnFreeList,
            _ when key > 0 => CallName.AnFree,
            _ => CallName.UaoFlushFree,
        };

    private int SlotOf(long key)
    {
        int slot = _raceSlots.IndexOf(key);
        if (slot >= 0)
            return slot;
        K.Kassert(_raceSlots.Count < Footprints.MaxSlots, "a race names at most eight owner slots");
        _raceSlots.Add(key);
        return _raceSlots.Count - 1;
    }

    public void EndRace(ReadOnlySpan<byte> schedule)
    {
        int slots = _raceSlots.Count;
        for (int slot = 0; slot < slots; slot++)
            _raceOwners[slot] = _raceSlots[slot] > 0 ? SlotOwner.Anon : SlotOwner.Aobj;
        _stepped.Reset(_raceOwners.AsSpan(0, slots));
        _raceAmapLocks.Clear();
        for (int slot = 0; slot < slots; slot++)
            _stepped.World.OwnerLock[slot] = OwnerLockOf(_raceSlots[slot]);
        for (int slot = 0; slot < slots; slot++)
        {
            int page = Array.IndexOf(_racePre.Key, _raceSlots[slot]);
            if (page >= 0)
                _stepped.World.Place(
                    slot,
                    _racePre.Queue[page],
                    _racePre.Wired[page],
                    mapped: _racePre.Mapped[page] > 0
                );
        }
        _stepped.Start(_raceCalls);
        if (_stepped.Failure is null)
            _stepped.RunSchedule(schedule);
        if (_stepped.Failure is not { } failure)
            return;
        if (_stepped.FailureIsHang)
            throw new SimulationLimit("race: " + failure);
        throw K.Panic("race: " + failure);
    }

    private static readonly int[] AmapLocks = [Locks.Amap, Locks.Amap2, Locks.Amap3];
    private static readonly int[] FileLocks = [Locks.Aobj, Locks.Aobj2, Locks.Aobj3];

    /// <summary>
    /// The lock of an owner slot: each file's vmobjlock; for an anon its amap's am_lock. amap_copy makes
    /// the copy share its source's lock, so once the kernel has forked amap ids no longer tell locks apart
    /// and every anon takes one lock; before, each amap was made by amap_alloc with a lock of its own
    /// (a fourth and later amap share the third's: a coarser lock only removes interleavings).
    /// </summary>
    private int OwnerLockOf(long key)
    {
        if (key < 0)
            return FileLocks[(int)((-key - 1) >> 32) - 1];
        if (_forked || !_raceAmaps.TryGetValue((int)key, out int amap))
            return Locks.Amap;
        int group = _raceAmapLocks.IndexOf(amap);
        if (group < 0)
        {
            group = _raceAmapLocks.Count;
            _raceAmapLocks.Add(amap);
        }
        return AmapLocks[Math.Min(group, AmapLocks.Length - 1)];
    }

    /// <summary>Every physical page's owner, wire count, mappings and queue, as <see cref="EndSide"/> compares them.</summary>
    private void Snapshot(RacePages into)
    {
        into.Reset();
        _pmap.Walk(into);
        for (int pid = 0; pid < KernelWorld.Processes && !_forked; pid++)
        {
            if (!_alive[pid])
                continue;
            _raceScan.Load(_maps[pid]);
            for (int i = 0; i < _raceScan.Count; i++)
                _raceAmaps.TryAdd(_raceScan.Pages[i].Anon, _raceScan.Pages[i].AmapId);
        }
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            var pg = _uvm.Frames[page];
            into.Queue[page] = RacePages.None;
            if (_ownerAnon[page] != NoAnon)
            {
                into.Key[page] = _ownerAnon[page];
            }
            else if (pg.Object is { Id: <= KernelFiles.Count } obj)
            {
                into.Key[page] = -(((long)obj.Id << 32) | (pg.Offset >> Spec.Map.MapConst.PageShift)) - 1;
                into.Queue[page] =
                    pg.Has(PgFlags.QueueActive) ? RacePages.Active
                    : pg.Has(PgFlags.QueueInactive) ? RacePages.Inactive
                    : RacePages.None;
            }
            else
            {
                into.Key[page] = RacePages.Free;
            }
        }
    }
}

/// <summary>
/// The physical pages as a race sees them: per page its owner key (an anon id, a negative key for a file
/// offset, 0 when free or kernel memory), the pmap's wire count, how many translations map it, and its queue (file pages;
/// the kernel keeps anon pages on none).
/// </summary>
internal sealed class RacePages : Spec.Pmap.IPmapFactSink
{
    public const long Free = 0;
    public const int None = -1;
    public const int Active = 0;
    public const int Inactive = 1;

    public readonly long[] Key = new long[KernelWorld.Pages];
    public readonly int[] Wired = new int[KernelWorld.Pages];
    public readonly int[] Mapped = new int[KernelWorld.Pages];
    public readonly int[] Queue = new int[KernelWorld.Pages];

    public void Reset()
    {
        Array.Clear(Wired);
        Array.Clear(Mapped);
    }

    public void Cpu(int cpu, int pmap) { }

    public void Pmap(int pmap, bool alive, int mapped, int wired) { }

    public void Mapping(int pmap, ulong va, int page, Spec.Pmap.Prot grants, bool wired) => Mapped[page]++;

    public void Page(int page, bool referenced, bool modified, int wireCount) => Wired[page] = wireCount;

    public void Pv(int page, int pmap, ulong va) { }
}
