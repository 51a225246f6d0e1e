using System.Text;
using UvmDiff.Harness.Core;
using UvmDiff.Spec;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Harness.Objects;

/// <summary>Hashes the observation walk: the per-step comparison.</summary>
public sealed class FingerprintObserver : IUvmObserver
{
    public Fingerprint Hash = new();

    public void Counters(UvmExp exp)
    {
        Hash.Add(exp.Free);
        Hash.Add(exp.Active);
        Hash.Add(exp.Inactive);
        Hash.Add(exp.Wired);
        Hash.Add(exp.SwpgInUse);
        Hash.Add(exp.SwpgOnly);
    }

    public void Object(UvmObject obj)
    {
        Hash.Add(-1);
        Hash.Add(obj.Id);
        Hash.Add(obj.Refs);
        Hash.Add(obj.NPages);
    }

    public void Page(VmPage pg)
    {
        Hash.Add(pg.Offset);
        Hash.Add((long)(pg.Flags & UvmObservation.Observed));
        Hash.Add(pg.WireCount);
        Hash.Add(pg.Data);
        Hash.Add(pg.PmapModified ? 1 : 0);
    }

    public void SwapSlot(int pageIndex, bool bad, long data)
    {
        Hash.Add(-2);
        Hash.Add(pageIndex);
        Hash.Add(bad ? 1 : 0);
        Hash.Add(data);
    }

    public void FileBlock(long offset, long data)
    {
        Hash.Add(-3);
        Hash.Add(offset);
        Hash.Add(data);
    }

    public void QueueEntry(PageQueue queue, VmPage pg)
    {
        Hash.Add((long)queue.Flag);
        Hash.Add(pg.Object?.Id ?? 0);
        Hash.Add(pg.Offset);
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

    public void Counters(UvmExp exp) =>
        Lines.Add(
            $"uvmexp free {exp.Free} active {exp.Active} inactive {exp.Inactive} wired {exp.Wired} "
                + $"swpginuse {exp.SwpgInUse} swpgonly {exp.SwpgOnly}"
        );

    public void Object(UvmObject obj) => Lines.Add($"obj {obj.Id} {obj.Kind} refs {obj.Refs} npages {obj.NPages}");

    public void Page(VmPage pg) =>
        Lines.Add(
            $"  page 0x{pg.Offset:x} {FormatFlags(pg.Flags)} wire {pg.WireCount} data {pg.Data}{(pg.PmapModified ? " modified" : "")}"
        );

    public void SwapSlot(int pageIndex, bool bad, long data) =>
        Lines.Add(
            bad ? $"  swap 0x{(long)pageIndex << 12:x} SWSLOT_BAD" : $"  swap 0x{(long)pageIndex << 12:x} data {data}"
        );

    public void FileBlock(long offset, long data) => Lines.Add($"  file 0x{offset:x} data {data}");

    public void QueueEntry(PageQueue queue, VmPage pg) =>
        Lines.Add($"{queue.Name} queue: obj {pg.Object?.Id.ToString() ?? "none"} page 0x{pg.Offset:x}");

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
