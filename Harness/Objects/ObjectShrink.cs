using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// Shrinking for object-layer sequences: drop halves, halve every offset at once (which keeps linked
/// offsets linked), then FsCheck's drop-one-op and per-op shrinks: interference first, then flags,
/// then offsets and ranges towards small aligned values.
/// </summary>
public static class ObjectShrink
{
    public static IEnumerable<ObjOp[]> List(ObjOp[] ops)
    {
        if (ops.Length > 1)
        {
            yield return ops[..(ops.Length / 2)];
            yield return ops[(ops.Length / 2)..];
        }
        var halved = Array.ConvertAll(ops, Halve);
        if (!halved.AsSpan().SequenceEqual(ops))
            yield return halved;
        foreach (var shrunk in ObjectGen.PlainShrinks(ops))
            yield return shrunk;
    }

    public static IEnumerable<ObjOp> Op(ObjOp op) =>
        op switch
        {
            Alloc a => (a.Fail ? [a with { Fail = false }] : Enumerable.Empty<ObjOp>()).Concat(
                Smaller(a.Off).Select(o => (ObjOp)(a with { Off = o }))
            ),
            Busy b => Smaller(b.Off).Select(o => (ObjOp)new Busy(b.Obj, o)),
            Unbusy u => Smaller(u.Off).Select(o => (ObjOp)new Unbusy(u.Obj, o)),
            Dirty d => Smaller(d.Off).Select(o => (ObjOp)new Dirty(d.Obj, o)),
            Deactivate d => Smaller(d.Off).Select(o => (ObjOp)new Deactivate(d.Obj, o)),
            PageOut p => Smaller(p.Off).Select(o => (ObjOp)new PageOut(p.Obj, o)),
            FreePage f => Smaller(f.Off).Select(o => (ObjOp)new FreePage(f.Obj, o)),
            Lookup l => Smaller(l.Off).Select(o => (ObjOp)new Lookup(l.Obj, o)),
            Wire w => Ranges(w.Start, w.Stop).Select(r => (ObjOp)new Wire(w.Obj, r.Start, r.Stop)),
            Unwire u => Ranges(u.Start, u.Stop).Select(r => (ObjOp)new Unwire(u.Obj, r.Start, r.Stop)),
            Flush f => Interferences(f.Interference)
                .Select(i => (ObjOp)(f with { Interference = i }))
                .Concat(FewerFlags(f.Flags).Select(fl => (ObjOp)(f with { Flags = fl })))
                .Concat(Ranges(f.Start, f.Stop).Select(r => (ObjOp)(f with { Start = r.Start, Stop = r.Stop }))),
            KmPgremove k => Interferences(k.Interference)
                .Select(i => (ObjOp)(k with { Interference = i }))
                .Concat(
                    Ranges(Off(k.Sva), Off(k.Eva))
                        .Select(r => (ObjOp)(k with { Sva = ObjectGen.Va(r.Start), Eva = ObjectGen.Va(r.Stop) }))
                ),
            _ => [],
        };

    /// <summary>Every offset of the op halved, rounded down to a page.</summary>
    public static ObjOp Halve(ObjOp op) =>
        op switch
        {
            Alloc a => a with { Off = Half(a.Off) },
            Busy b => new Busy(b.Obj, Half(b.Off)),
            Unbusy u => new Unbusy(u.Obj, Half(u.Off)),
            Dirty d => new Dirty(d.Obj, Half(d.Off)),
            Deactivate d => new Deactivate(d.Obj, Half(d.Off)),
            PageOut p => new PageOut(p.Obj, Half(p.Off)),
            FreePage f => new FreePage(f.Obj, Half(f.Off)),
            Lookup l => new Lookup(l.Obj, Half(l.Off)),
            Wire w => new Wire(w.Obj, Half(w.Start), Half(w.Stop)),
            Unwire u => new Unwire(u.Obj, Half(u.Start), Half(u.Stop)),
            Flush f => f with { Start = Half(f.Start), Stop = Half(f.Stop), Interference = HalveActs(f.Interference) },
            KmPgremove k => k with
            {
                Sva = ObjectGen.Va(Half(Off(k.Sva))),
                Eva = ObjectGen.Va(Half(Off(k.Eva))),
                Interference = HalveActs(k.Interference),
            },
            _ => op,
        };

    private static long Off(ulong va) => (long)(va - Spec.Routines.KmPgremove.KernelMapMin);

    private static long Half(long off) => off <= 0 ? off : K.TruncPage(off / 2);

    private static Interference HalveActs(Interference interference) =>
        interference.IsEmpty
            ? interference
            : new Interference(
                interference
                    .Wakes.Select(w => Array.ConvertAll(w, a => a.Off == Act.Here ? a : a with { Off = Half(a.Off) }))
                    .ToArray()
            );

    /// <summary>Smaller page-aligned offsets: 0, half, one page less; an unaligned one is aligned first.</summary>
    private static IEnumerable<long> Smaller(long off)
    {
        var seen = new HashSet<long> { off };
        foreach (long candidate in new[] { K.TruncPage(off), 0, K.TruncPage(off / 2), K.TruncPage(off) - K.PageSize })
        {
            if (candidate >= 0 && candidate < off && seen.Add(candidate))
                yield return candidate;
        }
    }

    private static IEnumerable<(long Start, long Stop)> Ranges(long start, long stop)
    {
        foreach (long s in Smaller(start))
            yield return (s, stop - (start - s));
        foreach (long e in Smaller(stop))
        {
            if (e >= start)
                yield return (start, e);
        }
    }

    private static IEnumerable<PgoFlags> FewerFlags(PgoFlags flags)
    {
        foreach (var flag in Enum.GetValues<PgoFlags>())
        {
            if (flag != PgoFlags.None && (flags & flag) != 0)
                yield return flags & ~flag;
        }
    }

    private static IEnumerable<Interference> Interferences(Interference interference)
    {
        var wakes = interference.Wakes;
        for (int i = 0; i < wakes.Count; i++)
            yield return new Interference([.. wakes.Take(i), .. wakes.Skip(i + 1)]);
        for (int i = 0; i < wakes.Count; i++)
        {
            for (int j = 0; j < wakes[i].Length && wakes[i].Length > 1; j++)
            {
                var fewer = wakes[i].Where((_, k) => k != j).ToArray();
                yield return new Interference([.. wakes.Take(i), fewer, .. wakes.Skip(i + 1)]);
            }
        }
        for (int i = 0; i < wakes.Count; i++)
        {
            for (int j = 0; j < wakes[i].Length; j++)
            {
                var act = wakes[i][j];
                if (act.Off == Act.Here || act.Kind == ActKind.IoError)
                    continue;
                foreach (long o in Smaller(act.Off))
                {
                    var changed = (Act[])wakes[i].Clone();
                    changed[j] = act with { Off = o };
                    yield return new Interference([.. wakes.Take(i), changed, .. wakes.Skip(i + 1)]);
                }
            }
        }
    }
}
