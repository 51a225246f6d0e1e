using UvmDiff.Spec;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// Brings one machine's fingerprint, page counts and checks up to date with what an op changed
/// (<see cref="Uvm.Changes"/>), so a step costs what the op touched rather than a walk of the machine:
/// each changed page's facts are re-hashed and its checks run with its queue neighbours, each object
/// whose page set changed has its index validated, and the counters are compared with counts kept the
/// same way. <see cref="Invariants.Check"/> and <see cref="FactObserver"/> remain the full versions that
/// every sequence also runs.
/// </summary>
public sealed class ObjectTracker
{
    private const byte Free = 1,
        Active = 2,
        Inactive = 4,
        Wired = 8;

    private readonly Uvm _uvm;
    private readonly ulong[] _pageFacts;
    private readonly byte[] _counted;
    private readonly Dictionary<UvmObject, ulong[]> _storedFacts = new(ReferenceEqualityComparer.Instance);
    private ulong _sum;
    private Invariants.PageCounts _counts;
    private string? _violation;

    public ObjectTracker(Uvm uvm)
    {
        _uvm = uvm;
        _pageFacts = new ulong[uvm.Frames.Length];
        _counted = new byte[uvm.Frames.Length];
        foreach (var obj in uvm.Objects)
            _storedFacts[obj] = new ulong[
                obj switch
                {
                    AnonObject aobj => aobj.SizePages,
                    VnodeObject vn => vn.File.Length,
                    _ => 0,
                }
            ];
        Reset();
    }

    /// <summary>After the machine was reset: every page free, nothing stored, nothing checked yet.</summary>
    public void Reset()
    {
        Array.Clear(_pageFacts);
        Array.Fill(_counted, Free);
        foreach (var facts in _storedFacts.Values)
            Array.Clear(facts);
        _sum = 0;
        _counts = new Invariants.PageCounts { Free = _uvm.Frames.Length };
        _violation = null;
        _uvm.Changes.Clear();
    }

    /// <summary>Take in the changes of the op that just ran.</summary>
    public void TakeIn()
    {
        var changes = _uvm.Changes;
        foreach (var pg in changes.Pages)
        {
            _sum -= _pageFacts[pg.Frame];
            _pageFacts[pg.Frame] = FactsOf(pg);
            _sum += _pageFacts[pg.Frame];
            Recount(pg);
            _violation ??= Invariants.CheckPage(_uvm, pg);
        }
        foreach (var obj in changes.Objects)
            _violation ??= Invariants.CheckObject(obj);
        foreach (var (aobj, idx) in changes.Slots)
        {
            int slot = aobj.Slots[idx];
            Store(
                aobj,
                idx,
                slot == 0 ? 0 : ObjectFacts.SwapSlot(aobj, idx, slot == SwapSpace.SlotBad, aobj.SlotData[idx])
            );
        }
        foreach (var (vn, block) in changes.Blocks)
        {
            long data = vn.File[block];
            Store(vn, block, data == 0 ? 0 : ObjectFacts.FileBlock(vn, (long)block << Spec.Kernel.K.PageShift, data));
        }
        changes.Clear();
    }

    /// <summary>The checks of what changed since the last reset, then the counters: null or the first violation.</summary>
    public string? Check() => _violation ?? Invariants.CheckCounts(_uvm, _counts);

    public ulong Fingerprint()
    {
        ulong sum = _sum + ObjectFacts.Counters(_uvm.Exp);
        foreach (var obj in _uvm.Objects)
            sum += ObjectFacts.Object(obj);
        return sum;
    }

    private static ulong FactsOf(VmPage pg)
    {
        ulong facts = pg.Object is null ? 0 : ObjectFacts.Page(pg);
        if (pg.Has(PgFlags.QueueActive))
            facts += ObjectFacts.QueueEntry(PgFlags.QueueActive, pg, pg.QueuePrev);
        else if (pg.Has(PgFlags.QueueInactive))
            facts += ObjectFacts.QueueEntry(PgFlags.QueueInactive, pg, pg.QueuePrev);
        return facts;
    }

    private void Recount(VmPage pg)
    {
        byte now = (byte)(
            (pg.Has(PgFlags.QueueFree) ? Free : 0)
            | (pg.Has(PgFlags.QueueActive) ? Active : 0)
            | (pg.Has(PgFlags.QueueInactive) ? Inactive : 0)
            | (pg.WireCount != 0 ? Wired : 0)
        );
        byte before = _counted[pg.Frame];
        if (now == before)
            return;
        _counts.Free += Delta(before, now, Free);
        _counts.Active += Delta(before, now, Active);
        _counts.Inactive += Delta(before, now, Inactive);
        _counts.Wired += Delta(before, now, Wired);
        _counted[pg.Frame] = now;
    }

    private static int Delta(byte before, byte now, byte bit) =>
        ((now & bit) != 0 ? 1 : 0) - ((before & bit) != 0 ? 1 : 0);

    private void Store(UvmObject obj, int index, ulong fact)
    {
        var facts = _storedFacts[obj];
        _sum += fact - facts[index];
        facts[index] = fact;
    }
}
