using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// Shrinking for map-layer sequences: drop halves, then drop one op, then per-op shrinks towards the
/// plainest op: private anonymous mappings, fewer protection bits, reads instead of writes, smaller
/// sizes (whole pages, halving), and addresses moved down by a page.
/// </summary>
public static class MapShrink
{
    private const ulong Page = MapConst.PageSize;

    public static IEnumerable<MapOp[]> List(MapOp[] ops)
    {
        if (ops.Length > 1)
        {
            yield return ops[..(ops.Length / 2)];
            yield return ops[(ops.Length / 2)..];
        }
        for (int i = 0; i < ops.Length && ops.Length > 1; i++)
            yield return [.. ops[..i], .. ops[(i + 1)..]];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var smaller in Op(ops[i]))
            {
                var shrunk = (MapOp[])ops.Clone();
                shrunk[i] = smaller;
                yield return shrunk;
            }
        }
    }

    public static IEnumerable<MapOp> Op(MapOp op)
    {
        switch (op)
        {
            case Mmap m:
                if (m.Kind != MapKind.Private)
                    yield return m with
                    {
                        Kind = MapKind.Private,
                        Obj = 0,
                        Off = 0,
                        Max = Prot.RWX,
                    };
                if (m.Off != 0)
                    yield return m with
                    {
                        Off = 0,
                    };
                foreach (var p in Fewer(m.Prot))
                    yield return m with
                    {
                        Prot = p,
                    };
                foreach (var s in Sizes(m.Size))
                    yield return m with
                    {
                        Size = s,
                    };
                break;
            case MmapAny m:
                if (m.Kind != MapKind.Private)
                    yield return m with
                    {
                        Kind = MapKind.Private,
                        Obj = 0,
                        Off = 0,
                        Max = Prot.RWX,
                    };
                foreach (var s in Sizes(m.Size))
                    yield return m with
                    {
                        Size = s,
                    };
                break;
            case Fault f:
                if (f.Write)
                    yield return f with
                    {
                        Write = false,
                    };
                break;
            case Mprotect p:
                foreach (var q in Fewer(p.Prot))
                    yield return p with
                    {
                        Prot = q,
                    };
                foreach (var s in Sizes(p.Size))
                    yield return p with
                    {
                        Size = s,
                    };
                break;
            case Minherit i when i.Inherit != Inherit.Share:
                yield return i with
                {
                    Inherit = Inherit.Share,
                };
                break;
            case Madvise a when a.Advice != Advice.Normal:
                yield return a with
                {
                    Advice = Advice.Normal,
                };
                break;
        }
        if (op is RangeOp r and not Mmap and not Mprotect)
        {
            foreach (var s in Sizes(r.Size))
                yield return Resize(r, s);
        }
    }

    private static RangeOp Resize(RangeOp op, ulong size) =>
        op switch
        {
            Munmap u => u with { Size = size },
            Minherit i => i with { Size = size },
            Mimmutable i => i with { Size = size },
            Madvise a => a with { Size = size },
            Mlock l => l with { Size = size },
            Munlock l => l with { Size = size },
            _ => op,
        };

    private static IEnumerable<ulong> Sizes(ulong size)
    {
        if (size > Page)
            yield return Page;
        ulong half = size / 2 / Page * Page;
        if (half > Page)
            yield return half;
        if (size > 2 * Page)
            yield return size - Page;
    }

    private static IEnumerable<Prot> Fewer(Prot prot)
    {
        foreach (var bit in new[] { Prot.X, Prot.W, Prot.R })
        {
            if ((prot & bit) != 0)
                yield return prot & ~bit;
        }
    }
}
