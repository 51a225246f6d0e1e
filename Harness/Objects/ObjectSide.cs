using System.Text;
using UvmDiff.Harness.Core;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// One machine of the object layer driven by ops: a <see cref="Uvm"/> whose objects use the page
/// index and routines of <paramref name="routines"/>. It is also the sleep hook: during the i-th
/// sleep of a routine it performs wake i of the op's interference, or completes the awaited I/O.
/// </summary>
public sealed class ObjectSide : ISide<ObjOp>, ISleepHook
{
    private static readonly Outcome True = Outcome.Of(1, "true");
    private static readonly Outcome False = Outcome.Of(0, "false");
    private static readonly Outcome NoPage = Outcome.Of(-1, "none");

    private readonly IObjectRoutines _routines;
    private readonly Uvm _uvm;
    private readonly ObjectTracker _tracker;
    private readonly List<VmPage> _scratch = [];
    private readonly List<SleepPoint> _sleepLog = [];
    private readonly FactObserver _facts = new();
    private readonly Dictionary<int, int[]> _wiredByCaller = [];
    private Interference _interference = Interference.None;
    private int _wake;
    private ulong _sleepHash;

    public ObjectSide(string name, IObjectRoutines routines)
    {
        Name = name;
        _routines = routines;
        _uvm = ObjectWorld.Create(routines);
        _tracker = new ObjectTracker(_uvm);
    }

    public string Name { get; }

    public Uvm Machine => _uvm;

    public long[] ProbeCounts => _routines.ProbeCounts;

    public void Reset()
    {
        _uvm.Reset();
        _tracker.Reset();
        foreach (var counts in _wiredByCaller.Values)
            Array.Clear(counts);
    }

    public Outcome Apply(ObjOp op)
    {
        _uvm.BeginOperation();
        _uvm.SleepHook = this;
        _interference = op switch
        {
            Flush f => f.Interference,
            KmPgremove k => k.Interference,
            _ => Interference.None,
        };
        _wake = 0;
        _sleepLog.Clear();
        _sleepHash = 0;
        Outcome result;
        try
        {
            result = Execute(op);
        }
        catch (KernelPanic panic)
        {
            result = Outcome.Panic(panic.Message);
        }
        catch (SimulationLimit limit)
        {
            result = Outcome.Hang(limit.Message);
        }
        _tracker.TakeIn();
        return result.WithSleeps(_sleepHash);
    }

    public string LastSleeps
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var point in _sleepLog)
            {
                if (sb.Length > 0)
                    sb.Append(", ");
                sb.Append(point.IsIo ? "io " : "").Append(point.Wmesg).Append(" 0x").Append(point.Offset.ToString("x"));
            }
            return sb.ToString();
        }
    }

    private Outcome Execute(ObjOp op)
    {
        switch (op)
        {
            case Alloc a:
                return Status(OtherThreads.FaultIn(_uvm, Object(a.Obj), a.Off, a.Fail));
            case Busy b:
                return Status(OtherThreads.Busy(_uvm, Object(b.Obj), b.Off));
            case Unbusy u:
                return Status(OtherThreads.Unbusy(_uvm, Object(u.Obj), u.Off));
            case Dirty d:
                return Status(OtherThreads.Dirty(_uvm, Object(d.Obj), d.Off));
            case Deactivate d:
                return Status(OtherThreads.Deactivate(_uvm, Object(d.Obj), d.Off));
            case PageOut p:
                return Status(OtherThreads.PageOut(_uvm, Object(p.Obj), p.Off));
            case FreePage f:
                return Status(OtherThreads.Free(_uvm, Object(f.Obj), f.Off));
            case Lookup l:
                return Pages.Lookup(Object(l.Obj), l.Off) is { } pg
                    ? Outcome.Of(
                        (long)(pg.Flags & UvmObservation.Observed) | (long)pg.WireCount << 32,
                        $"{TextObserver.FormatFlags(pg.Flags & UvmObservation.Observed)} wire {pg.WireCount}"
                    )
                    : NoPage;
            case Wire w:
                string? wireError = ObjWire.Wire(_uvm, _routines, Object(w.Obj), w.Start, w.Stop);
                if (wireError is null)
                    CountCallerWiring(w.Obj, w.Start, w.Stop, +1);
                return Status(wireError);
            case Unwire u:
                if (!CallerWired(u.Obj, u.Start, u.Stop))
                    return Outcome.Errno("EINVAL");
                CountCallerWiring(u.Obj, u.Start, u.Stop, -1);
                _routines.ObjUnwire(_uvm, Object(u.Obj), u.Start, u.Stop);
                return Outcome.Ok;
            case Flush f:
                var obj = Object(f.Obj);
                bool ok = obj is VnodeObject vn
                    ? _routines.UvnFlush(_uvm, vn, f.Start, f.Stop, f.Flags)
                    : _routines.AobjFlush(_uvm, (AnonObject)obj, f.Start, f.Stop, f.Flags);
                return ok ? True : False;
            case KmPgremove k:
                _routines.KmPgremove(_uvm, (AnonObject)Object(ObjectWorld.KernelId), k.Sva, k.Eva);
                return Outcome.Ok;
            case Ref r:
                if (r.Obj != ObjectWorld.KernelId)
                    Object(r.Obj).Refs++;
                return Outcome.Ok;
            case Unref u:
                if (u.Obj == ObjectWorld.KernelId)
                    return Outcome.Ok;
                var target = Object(u.Obj);
                if (target.Refs <= 1)
                    return Outcome.Errno("EINVAL");
                target.Refs--;
                return Outcome.Ok;
            default:
                throw new ArgumentException($"not an object-layer op: {op}");
        }
    }

    public WakeResult Slept(Uvm uvm, SleepPoint point)
    {
        _sleepLog.Add(point);
        _sleepHash = FactHash.Mix(
            _sleepHash ^ FactHash.Of(8, FactHash.OfText(point.Wmesg), point.Offset, point.IsIo ? 1 : 0)
        );
        if (_wake >= _interference.Wakes.Count)
        {
            OtherThreads.CompleteIo(uvm, point);
            return WakeResult.Normal;
        }
        var result = WakeResult.Normal;
        foreach (var act in _interference.Wakes[_wake++])
        {
            long off = act.Off == Act.Here ? point.Offset : act.Off;
            switch (act.Kind)
            {
                case ActKind.Free:
                    OtherThreads.Free(uvm, point.Object, off);
                    break;
                case ActKind.Insert:
                    OtherThreads.FaultIn(uvm, point.Object, off, readFails: false);
                    break;
                case ActKind.Busy:
                    OtherThreads.Busy(uvm, point.Object, off);
                    break;
                case ActKind.Unbusy:
                    OtherThreads.Unbusy(uvm, point.Object, off);
                    break;
                case ActKind.Dirty:
                    OtherThreads.Dirty(uvm, point.Object, off);
                    break;
                case ActKind.IoError:
                    if (point.IsIo)
                        result = WakeResult.IoError;
                    break;
                case ActKind.Again:
                    if (point.IsIo)
                        result = WakeResult.Again;
                    break;
            }
        }
        return result;
    }

    public string? CheckInvariants() => _tracker.Check();

    public string? CheckAllInvariants() => Invariants.Check(_uvm);

    public ulong Fingerprint() => _tracker.Fingerprint();

    public ulong FullFingerprint()
    {
        _facts.Begin();
        UvmObservation.Walk(_uvm, _facts, _scratch);
        return _facts.Sum;
    }

    public IReadOnlyList<string> Observe()
    {
        var text = new TextObserver();
        UvmObservation.Walk(_uvm, text, _scratch);
        return text.Lines;
    }

    /// <summary>
    /// uvm_obj_unwire's caller contract: every page of the range was wired by uvm_obj_wire and not
    /// unwired since (the caller tracks this as a map entry's wired count does), and every page
    /// resident there now is one it wired. pageunwire has no underflow check, so a caller breaking
    /// this wraps wire_count in the kernel too. A hole left by a page freed while wired (uvn_flush
    /// frees wired pages) is let through: that is what the routine's KASSERT(pg != NULL) is for.
    /// An empty range breaks nothing: uvm_obj_unwire's loop does not run.
    /// </summary>
    private bool CallerWired(int obj, long start, long stop)
    {
        var counts = WiredByCaller(obj);
        var pages = Object(obj).Pages;
        for (long off = start; off < stop; off += K.PageSize)
        {
            if (counts[off >> K.PageShift] == 0 || pages.Lookup(off) is { WireCount: 0 })
                return false;
        }
        return true;
    }

    private void CountCallerWiring(int obj, long start, long stop, int delta)
    {
        var counts = WiredByCaller(obj);
        for (long off = start; off < stop; off += K.PageSize)
            counts[off >> K.PageShift] += delta;
    }

    private int[] WiredByCaller(int obj)
    {
        if (!_wiredByCaller.TryGetValue(obj, out var counts))
            _wiredByCaller[obj] = counts = new int[ObjectWorld.ObjectPages];
        return counts;
    }

    private UvmObject Object(int id) => _uvm.FindObject(id) ?? throw new ArgumentException($"no object {id}");

    private static Outcome Status(string? errno) => Outcome.Status(errno);
}
