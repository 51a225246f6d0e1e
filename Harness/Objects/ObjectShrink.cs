using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// Shrinking for object-layer sequences: drop halves, then move every offset at once (halved, or one
/// page down), which keeps offsets that refer to the same page linked, then drop one op, then per-op
/// shrinks: interference first, then flags, then offsets and ranges towards small aligned values.
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
        var halved = Array.ConvertAll(ops, op => MapOffsets(op, Half));
        if (!halved.AsSpan().SequenceEqual(ops))
            yield return halved;
        if (ops.All(op => LowestOffset(op) >= K.PageSize))
            yield return Array.ConvertAll(ops, op => MapOffsets(op, off => off - K.PageSize));
        for (int i = 0; i < ops.Length && ops.Length > 1; i++)
            yield return [.. ops[..i], .. ops[(i + 1)..]];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var smaller in Op(ops[i]))
            {
                var shrunk = (ObjOp[])ops.Clone();
                shrunk[i] = smaller;
                yield return shrunk;
            }
        }
    }

    public static IEnumerable<ObjOp> Op(ObjOp op) =>
        op switch
        {
            Alloc { Fail: true } a => Smaller(a.Off)
                .Select(o => (ObjOp)(a with { Off = o }))
                .Prepend(a with { Fail = false }),
            PageOp p => Smaller(p.Off).Select(o => (ObjOp)(p with { Off = o })),
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

    /// <summary>The op with <paramref name="map"/> applied to every offset it names ("here" stays "here").</summary>
    public static ObjOp MapOffsets(ObjOp op, Func<long, long> map) =>
        op switch
        {
            PageOp p => p with { Off = map(p.Off) },
            Wire w => new Wire(w.Obj, map(w.Start), map(w.Stop)),
            Unwire u => new Unwire(u.Obj, map(u.Start), map(u.Stop)),
            Flush f => f with { Start = map(f.Start), Stop = map(f.Stop), Interference = MapActs(f.Interference, map) },
            KmPgremove k => k with
            {
                Sva = ObjectGen.Va(map(Off(k.Sva))),
                Eva = ObjectGen.Va(map(Off(k.Eva))),
                Interference = MapActs(k.Interference, map),
            },
            _ => op,
        };

    /// <summary>The smallest offset the op names, or long.MaxValue when it names none.</summary>
    private static long LowestOffset(ObjOp op)
    {
        long lowest = long.MaxValue;
        MapOffsets(
            op,
            off =>
            {
                lowest = Math.Min(lowest, off);
                return off;
            }
        );
        return lowest;
    }

    private static long Off(ulong va) => (long)(va - Spec.Routines.KmPgremove.KernelMapMin);

    private static long Half(long off) => off <= 0 ? off : K.TruncPage(off / 2);

    private static Interference MapActs(Interference interference, Func<long, long> map) =>
        interference.IsEmpty
            ? interference
            : new Interference(
                interference
                    .Wakes.Select(w =>
                        Array.ConvertAll(w, a => a.Off == Act.Here || !a.HasOffset ? a : a with { Off = map(a.Off) })
                    )
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
                if (act.Off == Act.Here || !act.HasOffset)
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
