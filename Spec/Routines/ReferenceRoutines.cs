using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Routines;

/// <summary>The reference: every routine as the kernel wrote it before seed 000, over a hash index.</summary>
public sealed class ReferenceRoutines : IObjectRoutines
{
    public static readonly ReferenceRoutines Instance = new();

    public long[] ProbeCounts { get; } = [];

    public PageIndex NewPageIndex() => new HashPageIndex();

    public bool AobjFlush(Uvm uvm, AnonObject aobj, long start, long stop, PgoFlags flags) =>
        UaoFlush.Run(uvm, aobj, start, stop, flags);

    public bool UvnFlush(Uvm uvm, VnodeObject vn, long start, long stop, PgoFlags flags) =>
        Routines.UvnFlush.Run(uvm, vn, start, stop, flags);

    public void KmPgremove(Uvm uvm, AnonObject kernelObject, ulong startVa, ulong endVa) =>
        Routines.KmPgremove.Run(uvm, kernelObject, startVa, endVa);

    public void ObjUnwire(Uvm uvm, UvmObject obj, long start, long stop) => ObjWire.Unwire(uvm, obj, start, stop);
}
