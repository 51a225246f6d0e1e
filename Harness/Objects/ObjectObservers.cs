using System.Text;
using UvmDiff.Harness.Core;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// The facts of the object layer's observation and their hashes: the full walk sums them in
/// <see cref="FactObserver"/>, and <see cref="ObjectTracker"/> keeps the same sum up to date per change.
/// A page's queue position is the page before it, so the sum pins the order of both queues.
/// </summary>
public static class ObjectFacts
{
    public static ulong Counters(UvmExp exp) =>
        FactHash.Of(1, exp.Free, exp.Active, exp.Inactive, exp.Wired) + FactHash.Of(2, exp.SwpgInUse, exp.SwpgOnly);

    public static ulong Object(UvmObject obj) => FactHash.Of(3, obj.Id, obj.Refs, obj.NPages);

    public static ulong Page(VmPage pg) =>
        FactHash.Of(
            4,
            pg.Object!.Id,
            pg.Offset,
            (long)(pg.Flags & UvmObservation.Observed) | (pg.PmapModified ? 1L << 40 : 0) | (long)pg.Mapping << 41,
            pg.WireCount,
            pg.Data
        );

    public static ulong SwapSlot(UvmObject obj, int pageIndex, bool bad, long data) =>
        FactHash.Of(5, obj.Id, pageIndex, bad ? 1 : 0, data);

    public static ulong FileBlock(UvmObject obj, long offset, long data) => FactHash.Of(6, obj.Id, offset, data);

    public static ulong QueueEntry(PgFlags queue, VmPage pg, VmPage? prev) =>
        FactHash.Of(
            7,
            (long)queue,
            pg.Object?.Id ?? 0,
            pg.Offset,
            prev is null ? -1 : prev.Object?.Id ?? 0,
            prev is null ? -1 : prev.Offset
        );
}

/// <summary>Sums the facts of the observation walk: the full-walk fingerprint.</summary>
public sealed class FactObserver : IUvmObserver
{
    private UvmObject? _object;
    private VmPage? _previousActive;
    private VmPage? _previousInactive;

    public ulong Sum;

    public void Begin()
    {
        Sum = 0;
        _object = null;
        _previousActive = _previousInactive = null;
    }

    public void Counters(UvmExp exp) => Sum += ObjectFacts.Counters(exp);

    public void Object(UvmObject obj)
    {
        _object = obj;
        Sum += ObjectFacts.Object(obj);
    }

    public void Page(VmPage pg) => Sum += ObjectFacts.Page(pg);

    public void SwapSlot(int pageIndex, bool bad, long data) =>
        Sum += ObjectFacts.SwapSlot(_object!, pageIndex, bad, data);

    public void FileBlock(long offset, long data) => Sum += ObjectFacts.FileBlock(_object!, offset, data);

    public void QueueEntry(PageQueue queue, VmPage pg)
    {
        ref var previous = ref queue.Flag == PgFlags.QueueActive ? ref _previousActive : ref _previousInactive;
        Sum += ObjectFacts.QueueEntry(queue.Flag, pg, previous);
        previous = pg;
    }
}

/// <summary>Renders the observation walk as the text used in counterexamples and snapshots.</summary>
public sealed class TextObserver : IUvmObserver
{
    private static readonly (PgFlags Flag, string Name)[] FlagNames =
    [
        (PgFlags.Busy, "BUSY"),
        (PgFlags.Wanted, "WANTED"),
        (PgFlags.Tabled, "TABLED"),
        (PgFlags.Clean, "CLEAN"),
        (PgFlags.CleanChk, "CLEANCHK"),
        (PgFlags.Released, "RELEASED"),
        (PgFlags.Fake, "FAKE"),
        (PgFlags.QueueActive, "ACTIVE"),
        (PgFlags.QueueInactive, "INACTIVE"),
        (PgFlags.QueueAobj, "AOBJ"),
    ];

    public readonly List<string> Lines = [];

    /// <summary>"free" is the kernel's uvmexp.free + uvmexp.percpucaches (see <see cref="UvmExp.Free"/>).</summary>
    public void Counters(UvmExp exp) =>
        Lines.Add(
            $"uvmexp free {exp.Free} active {exp.Active} inactive {exp.Inactive} wired {exp.Wired} "
                + $"swpginuse {exp.SwpgInUse} swpgonly {exp.SwpgOnly}"
        );

    public void Object(UvmObject obj) => Lines.Add($"obj {obj.Id} {obj.Kind} refs {obj.Refs} npages {obj.NPages}");

    public void Page(VmPage pg) =>
        Lines.Add(
            $"  page 0x{pg.Offset:x} {FormatFlags(pg.Flags)} wire {pg.WireCount} data {pg.Data}{(pg.PmapModified ? " modified" : "")}{MappingText(pg.Mapping)}"
        );

    public void SwapSlot(int pageIndex, bool bad, long data) =>
        Lines.Add(
            bad ? $"  swap 0x{(long)pageIndex << 12:x} SWSLOT_BAD" : $"  swap 0x{(long)pageIndex << 12:x} data {data}"
        );

    public void FileBlock(long offset, long data) => Lines.Add($"  file 0x{offset:x} data {data}");

    public void QueueEntry(PageQueue queue, VmPage pg) =>
        Lines.Add($"{queue.Name} queue: obj {pg.Object?.Id.ToString() ?? "none"} page 0x{pg.Offset:x}");

    private static string MappingText(PmapMapping mapping) =>
        mapping switch
        {
            PmapMapping.Read => " mapped r",
            PmapMapping.Write => " mapped rw",
            _ => "",
        };

    public static string FormatFlags(PgFlags flags)
    {
        var sb = new StringBuilder();
        foreach (var (flag, name) in FlagNames)
        {
            if ((flags & flag) == 0)
                continue;
            if (sb.Length > 0)
                sb.Append('|');
            sb.Append(name);
        }
        return sb.Length == 0 ? "-" : sb.ToString();
    }
}
