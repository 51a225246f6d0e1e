using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// Random map-layer op sequences aimed at collisions: addresses are 64 KiB boundaries of a 4 MiB window
/// or a few pages past one, and four times in ten an address an earlier op of the sequence started or
/// ended at (moved by a page or two at most), so ranges start, end and fall inside existing entries
/// and chunks. Sizes are mostly a few pages; one mapping in six is large enough (256 pages or more) to be
/// chunked at fault time. Wired, immutable, stack, shared and file entries all come up.
/// </summary>
public static class MapGen
{
    private const ulong Page = MapConst.PageSize;
    private const ulong Chunk = MapConst.ChunkBytes;

    // Mmap MmapAny Munmap Mprotect Minherit Mimmutable Madvise Mlock Munlock Fault
    private static readonly int[] OpWeights = [18, 5, 9, 12, 5, 2, 4, 7, 5, 26];
    private static readonly MapKind[] Kinds =
    [
        MapKind.Private,
        MapKind.Stack,
        MapKind.Shared,
        MapKind.FilePrivate,
        MapKind.FileShared,
        MapKind.Hole,
    ];
    private static readonly int[] KindWeights = [40, 10, 10, 20, 15, 3];
    private static readonly Prot[] Prots = [Prot.RW, Prot.R, Prot.None, Prot.RX, Prot.W, Prot.RWX];
    private static readonly int[] ProtWeights = [40, 20, 12, 10, 5, 5];

    /// <param name="space">
    /// Bounds of the mappings every sequence starts from (a /proc/PID/maps capture), or empty: with
    /// them, addresses are drawn near those bounds instead of in the small window.
    /// </param>
    public static void Sequence(ref Rng rng, int maxOps, List<MapOp> into, ReadOnlySpan<ulong> space = default)
    {
        int count = rng.Between(1, maxOps);
        Span<ulong> anchors = stackalloc ulong[64];
        int used = 0;
        if (space.Length > 0)
        {
            for (; used < 16; used++)
                anchors[used] = space[rng.Below(space.Length)];
        }
        for (int i = 0; i < count; i++)
        {
            var op = Next(ref rng, anchors[..used]);
            if (AddressOf(op) is { } range)
            {
                if (used + 2 <= anchors.Length)
                {
                    anchors[used++] = range.Start;
                    anchors[used++] = range.End;
                }
            }
            into.Add(op);
        }
    }

    public static MapOp Next(ref Rng rng, ReadOnlySpan<ulong> anchors)
    {
        int kind = rng.Weighted(OpWeights);
        if (kind == 9)
            return new Fault(Address(ref rng, anchors), rng.Chance(55));
        if (kind == 1)
        {
            var (k, obj, off, max) = Kind(ref rng);
            return new MmapAny(Size(ref rng, mapping: true), Protection(ref rng, max), k, obj, off, max);
        }
        ulong addr = Address(ref rng, anchors);
        ulong size = Size(ref rng, mapping: kind == 0);
        return kind switch
        {
            0 => Mapping(ref rng, addr, size),
            2 => new Munmap(addr, size),
            3 => new Mprotect(addr, size, rng.Pick<Prot>(Prots)),
            4 => new Minherit(addr, size, (Inherit)rng.Below(4)),
            5 => new Mimmutable(addr, size),
            6 => new Madvise(addr, size, (Advice)rng.Below(3)),
            7 => new Mlock(addr, size),
            _ => new Munlock(addr, size),
        };
    }

    private static Mmap Mapping(ref Rng rng, ulong addr, ulong size)
    {
        var (kind, obj, off, max) = Kind(ref rng);
        return new Mmap(addr, size, Protection(ref rng, max), kind, obj, off, max);
    }

    private static (MapKind, int, ulong, Prot) Kind(ref Rng rng)
    {
        var kind = Kinds[rng.Weighted(KindWeights)];
        bool file = kind is MapKind.FilePrivate or MapKind.FileShared;
        var max = kind == MapKind.FileShared && rng.Chance(30) ? Prot.RX : Prot.RWX;
        return (kind, file ? rng.Between(1, 2) : 0, file ? (ulong)rng.Below(8) * Page : 0, max);
    }

    private static Prot Protection(ref Rng rng, Prot max)
    {
        var prot = Prots[rng.Weighted(ProtWeights)];
        return rng.Chance(85) ? prot & max : prot;
    }

    /// <summary>A 64 KiB boundary of the window, a few pages past one, or near an earlier op's bounds.</summary>
    public static ulong Address(ref Rng rng, ReadOnlySpan<ulong> anchors)
    {
        if (anchors.Length > 0 && rng.Chance(40))
        {
            ulong anchor = anchors[rng.Below(anchors.Length)];
            long delta = rng.Chance(50) ? 0 : rng.Between(-2, 2);
            ulong moved = (ulong)((long)anchor + delta * (long)Page);
            return moved < MapConst.MinAddress ? anchor : moved;
        }
        ulong chunk = (ulong)rng.Between(1, 64) * Chunk;
        return rng.Chance(45) ? chunk : chunk + (ulong)rng.Between(1, 20) * Page;
    }

    public static ulong Size(ref Rng rng, bool mapping)
    {
        if (mapping && rng.Chance(16))
            return (ulong)(rng.Chance(30) ? MapConst.AmapLarge : rng.Between(MapConst.AmapLarge, 320)) * Page;
        return rng.Weighted([30, 25, 20, 15, 10]) switch
        {
            0 => Page,
            1 => (ulong)rng.Between(2, 4) * Page,
            2 => (ulong)rng.Between(5, 16) * Page,
            3 => (ulong)rng.Between(17, 40) * Page,
            _ => Chunk * (ulong)rng.Between(1, 4),
        };
    }

    private static (ulong Start, ulong End)? AddressOf(MapOp op) =>
        op switch
        {
            RangeOp r => (r.Addr, r.End),
            Fault f => (f.Addr, f.Addr + Page),
            _ => null,
        };
}
