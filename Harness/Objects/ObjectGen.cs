using FsCheck;
using FsCheck.Fluent;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// FsCheck generators and shrinkers for object-layer op sequences. The domain is small (three
/// objects of 48 pages) so that ops collide; interference targets the page slept on half the time,
/// since that is where restart bugs live.
/// </summary>
public static class ObjectGen
{
    private static readonly Gen<int> AnyObj = Gen.Frequency(
        (3, Gen.Constant(ObjectWorld.AobjId)),
        (4, Gen.Constant(ObjectWorld.VnodeId)),
        (2, Gen.Constant(ObjectWorld.KernelId))
    );

    private static readonly Gen<int> PageNo = Gen.Frequency(
        (3, Gen.Choose(0, 7)),
        (2, Gen.Choose(0, ObjectWorld.ObjectPages - 1))
    );

    private static readonly Gen<long> PageOff = PageNo.Select(p => (long)p << K.PageShift);

    private static readonly Gen<(long Start, long Stop)> PageRange =
        from first in PageNo
        from length in Gen.Frequency((6, Gen.Choose(1, 8)), (2, Gen.Choose(9, ObjectWorld.ObjectPages)))
        select ((long)first << K.PageShift, (long)Math.Min(first + length, ObjectWorld.ObjectPages) << K.PageShift);

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

    /// <summary>uao_flush's flag sets, and rarely FREE|DEACTIVATE, which panics "weird flags" and ends the run.</summary>
    private static readonly Gen<PgoFlags> AobjFlags = Gen.Frequency(
        (20, Gen.Elements(AobjFlagSets)),
        (1, Gen.Constant(PgoFlags.Free | PgoFlags.Deactivate))
    );

    /// <summary>What other threads may do while a flush sleeps: anything, including faulting pages in.</summary>
    private static readonly Gen<Act> ActGen = Gen.Frequency(
        (3, Gen.Constant(new Act(ActKind.Free, Act.Here))),
        (1, PageOff.Select(o => new Act(ActKind.Free, o))),
        (3, PageOff.Select(o => new Act(ActKind.Insert, o))),
        (1, Gen.Constant(new Act(ActKind.Insert, Act.Here))),
        (2, PageOff.Select(o => new Act(ActKind.Busy, o))),
        (1, Gen.Constant(new Act(ActKind.Busy, Act.Here))),
        (1, PageOff.Select(o => new Act(ActKind.Unbusy, o))),
        (2, PageOff.Select(o => new Act(ActKind.Dirty, o))),
        (2, Gen.Constant(new Act(ActKind.IoError, 0)))
    );

    /// <summary>
    /// What other threads may do while uvm_km_pgremove sleeps: kernel_map is write-locked and the range
    /// already pmap_removed, so nothing faults a kernel-object page in or writes through a mapping;
    /// the pagedaemon still busies and frees pages.
    /// </summary>
    private static readonly Gen<Act> KernelActGen = Gen.Frequency(
        (3, Gen.Constant(new Act(ActKind.Free, Act.Here))),
        (1, PageOff.Select(o => new Act(ActKind.Free, o))),
        (2, PageOff.Select(o => new Act(ActKind.Busy, o))),
        (1, Gen.Constant(new Act(ActKind.Busy, Act.Here))),
        (1, PageOff.Select(o => new Act(ActKind.Unbusy, o)))
    );

    private static Gen<Interference> InterferenceOf(Gen<Act> acts) =>
        Gen.Frequency(
            (2, Gen.Constant(Interference.None)),
            (
                3,
                Gen.Choose(1, 3)
                    .SelectMany(wakes => Gen.Choose(1, 3).SelectMany(n => acts.ArrayOf(n)).ArrayOf(wakes))
                    .Select(w => new Interference(w))
            )
        );

    private static readonly Gen<Interference> InterferenceGen = InterferenceOf(ActGen);

    private static readonly Gen<ObjOp> FlushGen =
        from obj in AnyObj
        from range in Gen.Frequency((5, PageRange), (1, UnalignedRange))
        from flags in obj == ObjectWorld.VnodeId ? Gen.Elements(VnodeFlagSets) : AobjFlags
        from interference in InterferenceGen
        select (ObjOp)new Flush(obj, range.Start, range.Stop, flags, interference);

    private static Gen<(long Start, long Stop)> UnalignedRange =>
        from a in Gen.Choose(0, ObjectWorld.ObjectPages << K.PageShift)
        from b in Gen.Choose(0, ObjectWorld.ObjectPages << K.PageShift)
        select ((long)Math.Min(a, b), (long)Math.Max(a, b));

    private static readonly Gen<ObjOp> KmPgremoveGen =
        from range in PageRange
        from interference in InterferenceOf(KernelActGen)
        select (ObjOp)new KmPgremove(Va(range.Start), Va(range.Stop), interference);

    public static readonly Gen<ObjOp> Op = Gen.Frequency(
        (10, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Alloc(o, off)))),
        (
            3,
            Gen.Elements(ObjectWorld.AobjId, ObjectWorld.KernelId)
                .SelectMany(o => PageOff.Select(off => (ObjOp)new Alloc(o, off, Fail: true)))
        ),
        (4, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Busy(o, off)))),
        (2, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Unbusy(o, off)))),
        (4, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Dirty(o, off)))),
        (2, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Deactivate(o, off)))),
        (
            4,
            Gen.Elements(ObjectWorld.AobjId, ObjectWorld.KernelId)
                .SelectMany(o => PageOff.Select(off => (ObjOp)new PageOut(o, off)))
        ),
        (1, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new FreePage(o, off)))),
        (1, AnyObj.SelectMany(o => PageOff.Select(off => (ObjOp)new Lookup(o, off)))),
        (2, AnyObj.SelectMany(o => SmallRange(o).Select(r => (ObjOp)new Wire(o, r.Start, r.Stop)))),
        (2, AnyObj.SelectMany(o => SmallRange(o).Select(r => (ObjOp)new Unwire(o, r.Start, r.Stop)))),
        (8, FlushGen),
        (4, KmPgremoveGen),
        (1, Gen.Elements(ObjectWorld.AobjId, ObjectWorld.VnodeId).Select(o => (ObjOp)new Ref(o))),
        (1, Gen.Elements(ObjectWorld.AobjId, ObjectWorld.VnodeId).Select(o => (ObjOp)new Unref(o)))
    );

    /// <summary>Wire/unwire ranges come from a few aligned 4-page slots, so unwires often match wires.</summary>
    private static Gen<(long Start, long Stop)> SmallRange(int obj) =>
        from slot in Gen.Choose(0, 3)
        from pages in Gen.Frequency((4, Gen.Constant(4)), (1, Gen.Choose(1, 8)))
        let start = (long)slot * 4 << K.PageShift
        let stop = Math.Min(start + ((long)pages << K.PageShift), ObjectWorld.SizeOf(obj))
        select (start, Math.Max(start, stop));

    public static ulong Va(long offset) => Spec.Routines.KmPgremove.KernelMapMin + (ulong)offset;

    /// <summary>
    /// Op sequences of 1 to <paramref name="maxOps"/> ops, mostly long: the bugs worth finding need a
    /// few ops to set a page up before the routine meets it, and shrinking takes the length back out.
    /// </summary>
    public static Gen<ObjOp[]> Ops(int maxOps) =>
        Gen.Frequency((1, Gen.Choose(1, Math.Min(10, maxOps))), (3, Gen.Choose(Math.Min(10, maxOps), maxOps)))
            .SelectMany(n => Op.ArrayOf(n));

    private static readonly Arbitrary<ObjOp[]> PlainList = Arb.Array(Arb.From(Op, ObjectShrink.Op));

    /// <summary>The arbitrary the properties and the CLI use: structural shrinks first, then per-op ones.</summary>
    public static Arbitrary<ObjOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), ObjectShrink.List);

    internal static IEnumerable<ObjOp[]> PlainShrinks(ObjOp[] ops) => PlainList.Shrinker(ops);
}
