using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// Random object-layer op sequences. The domain is small (three objects of 48 pages, offsets mostly in
/// the first eight pages) so that ops collide; interference targets the page slept on half the time,
/// since that is where restart bugs live. Written over <see cref="Rng"/> rather than FsCheck
/// combinators: a campaign draws millions of sequences. Ops on one page hold no more than their kind,
/// object and offset, so they are built once and shared.
/// </summary>
public static class ObjectGen
{
    private const int Pages = ObjectWorld.ObjectPages;

    private static readonly int[] OpWeights = [10, 3, 4, 2, 4, 2, 4, 1, 1, 2, 2, 8, 4, 1, 1];
    private static readonly int[] ObjIds = [ObjectWorld.AobjId, ObjectWorld.VnodeId, ObjectWorld.KernelId];
    private static readonly int[] ObjWeights = [3, 4, 2];
    private static readonly int[] SwapObjIds = [ObjectWorld.AobjId, ObjectWorld.KernelId];
    private static readonly int[] RefObjIds = [ObjectWorld.AobjId, ObjectWorld.VnodeId];

    private static readonly PgoFlags[] VnodeFlagSets =
    [
        PgoFlags.CleanIt,
        PgoFlags.CleanIt | PgoFlags.SyncIo,
        PgoFlags.CleanIt | PgoFlags.Free,
        PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.SyncIo,
        PgoFlags.CleanIt | PgoFlags.Deactivate,
        PgoFlags.CleanIt | PgoFlags.Deactivate | PgoFlags.SyncIo,
        PgoFlags.Free,
        PgoFlags.Deactivate,
        PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.AllPages,
        PgoFlags.CleanIt | PgoFlags.SyncIo | PgoFlags.AllPages,
    ];

    private static readonly PgoFlags[] AobjFlagSets =
    [
        PgoFlags.Free,
        PgoFlags.Deactivate,
        PgoFlags.CleanIt,
        PgoFlags.CleanIt | PgoFlags.Free,
        PgoFlags.CleanIt | PgoFlags.Deactivate,
        PgoFlags.Free | PgoFlags.AllPages,
    ];

    /// <summary>
    /// What other threads may do while a flush sleeps: anything, including faulting pages in, failing
    /// the write slept on or making it return VM_PAGER_AGAIN.
    /// </summary>
    private static readonly int[] ActWeights = [3, 1, 3, 1, 2, 1, 1, 2, 2, 1];

    /// <summary>
    /// What other threads may do while uvm_km_pgremove sleeps: kernel_map is write-locked and the range
    /// already pmap_removed, so nothing faults a kernel-object page in or writes through a mapping; the
    /// pagedaemon still busies and frees pages. The weights of <see cref="ActWeights"/> with those zeroed.
    /// </summary>
    private static readonly int[] KernelActWeights = [3, 1, 0, 0, 2, 1, 1, 0, 0, 0];

    private static readonly ObjOp[,,] PageOps = BuildPageOps();

    /// <summary>The page-op kinds, in the order of <see cref="PageOps"/>' first index.</summary>
    private static ObjOp MakePageOp(int kind, int obj, long off) =>
        kind switch
        {
            0 => new Alloc(obj, off),
            1 => new Alloc(obj, off, Fail: true),
            2 => new Busy(obj, off),
            3 => new Unbusy(obj, off),
            4 => new Dirty(obj, off),
            5 => new Deactivate(obj, off),
            6 => new PageOut(obj, off),
            7 => new FreePage(obj, off),
            _ => new Lookup(obj, off),
        };

    private static ObjOp[,,] BuildPageOps()
    {
        var ops = new ObjOp[9, ObjIds.Length + 1, Pages];
        for (int kind = 0; kind < 9; kind++)
        {
            foreach (int obj in ObjIds)
            {
                for (int page = 0; page < Pages; page++)
                    ops[kind, obj, page] = MakePageOp(kind, obj, (long)page << K.PageShift);
            }
        }
        return ops;
    }

    /// <summary>
    /// A sequence of 1 to <paramref name="maxOps"/> ops, mostly long: the bugs worth finding need a few ops
    /// to set a page up before the routine meets it, and shrinking takes the length back out.
    /// </summary>
    public static void Sequence(ref Rng rng, int maxOps, List<ObjOp> into)
    {
        int shortest = Math.Min(10, maxOps);
        int n = rng.Below(4) == 0 ? rng.Between(1, shortest) : rng.Between(shortest, maxOps);
        for (int i = 0; i < n; i++)
            into.Add(Op(ref rng));
    }

    public static ObjOp Op(ref Rng rng)
    {
        switch (rng.Weighted(OpWeights))
        {
            case 0:
                return Page(0, AnyObj(ref rng), ref rng);
            case 1:
                return Page(1, rng.Pick<int>(SwapObjIds), ref rng);
            case 2:
                return Page(2, AnyObj(ref rng), ref rng);
            case 3:
                return Page(3, AnyObj(ref rng), ref rng);
            case 4:
                return Page(4, AnyObj(ref rng), ref rng);
            case 5:
                return Page(5, AnyObj(ref rng), ref rng);
            case 6:
                return Page(6, rng.Pick<int>(SwapObjIds), ref rng);
            case 7:
                return Page(7, AnyObj(ref rng), ref rng);
            case 8:
                return Page(8, AnyObj(ref rng), ref rng);
            case 9:
            {
                int obj = AnyObj(ref rng);
                var (start, stop) = SmallRange(obj, ref rng);
                return new Wire(obj, start, stop);
            }
            case 10:
            {
                int obj = AnyObj(ref rng);
                var (start, stop) = SmallRange(obj, ref rng);
                return new Unwire(obj, start, stop);
            }
            case 11:
                return FlushOp(ref rng);
            case 12:
            {
                var (start, stop) = PageRange(ref rng);
                return new KmPgremove(Va(start), Va(stop), InterferenceOf(KernelActWeights, ref rng));
            }
            case 13:
                return new Ref(rng.Pick<int>(RefObjIds));
            default:
                return new Unref(rng.Pick<int>(RefObjIds));
        }
    }

    private static ObjOp FlushOp(ref Rng rng)
    {
        int obj = AnyObj(ref rng);
        var (start, stop) = rng.Below(6) < 5 ? PageRange(ref rng) : UnalignedRange(ref rng);
        PgoFlags flags;
        if (obj == ObjectWorld.VnodeId)
            flags = rng.Pick<PgoFlags>(VnodeFlagSets);
        else
            flags = rng.Below(21) < 20 ? rng.Pick<PgoFlags>(AobjFlagSets) : PgoFlags.Free | PgoFlags.Deactivate;
        return new Flush(obj, start, stop, flags, InterferenceOf(ActWeights, ref rng));
    }

    private static int AnyObj(ref Rng rng) => ObjIds[rng.Weighted(ObjWeights)];

    private static int PageNo(ref Rng rng) => rng.Below(5) < 3 ? rng.Between(0, 7) : rng.Below(Pages);

    private static ObjOp Page(int kind, int obj, ref Rng rng) => PageOps[kind, obj, PageNo(ref rng)];

    private static long PageOff(ref Rng rng) => (long)PageNo(ref rng) << K.PageShift;

    private static (long Start, long Stop) PageRange(ref Rng rng)
    {
        int first = PageNo(ref rng);
        int length = rng.Below(4) < 3 ? rng.Between(1, 8) : rng.Between(9, Pages);
        return ((long)first << K.PageShift, (long)Math.Min(first + length, Pages) << K.PageShift);
    }

    private static (long Start, long Stop) UnalignedRange(ref Rng rng)
    {
        long a = rng.Between(0, Pages << K.PageShift);
        long b = rng.Between(0, Pages << K.PageShift);
        return (Math.Min(a, b), Math.Max(a, b));
    }

    /// <summary>Wire/unwire ranges come from a few aligned 4-page slots, so unwires often match wires.</summary>
    private static (long Start, long Stop) SmallRange(int obj, ref Rng rng)
    {
        int slot = rng.Below(4);
        int pages = rng.Below(5) < 4 ? 4 : rng.Between(1, 8);
        long start = (long)slot * 4 << K.PageShift;
        long stop = Math.Min(start + ((long)pages << K.PageShift), ObjectWorld.SizeOf(obj));
        return (start, Math.Max(start, stop));
    }

    private static Interference InterferenceOf(int[] weights, ref Rng rng)
    {
        if (rng.Below(5) < 2)
            return Interference.None;
        var wakes = new Act[rng.Between(1, 3)][];
        for (int w = 0; w < wakes.Length; w++)
        {
            var acts = new Act[rng.Between(1, 3)];
            for (int a = 0; a < acts.Length; a++)
                acts[a] = ActOf(rng.Weighted(weights), ref rng);
            wakes[w] = acts;
        }
        return new Interference(wakes);
    }

    private static Act ActOf(int choice, ref Rng rng) =>
        choice switch
        {
            0 => new Act(ActKind.Free, Act.Here),
            1 => new Act(ActKind.Free, PageOff(ref rng)),
            2 => new Act(ActKind.Insert, PageOff(ref rng)),
            3 => new Act(ActKind.Insert, Act.Here),
            4 => new Act(ActKind.Busy, PageOff(ref rng)),
            5 => new Act(ActKind.Busy, Act.Here),
            6 => new Act(ActKind.Unbusy, PageOff(ref rng)),
            7 => new Act(ActKind.Dirty, PageOff(ref rng)),
            8 => new Act(ActKind.IoError, 0),
            _ => new Act(ActKind.Again, 0),
        };

    public static ulong Va(long offset) => Spec.Routines.KmPgremove.KernelMapMin + (ulong)offset;
}
