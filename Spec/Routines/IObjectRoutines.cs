using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Routines;

/// <summary>
/// The routines seed 000's diff rewrites. The reference implements them as the kernel did before the
/// diff; an implementation implements them as a rewrite does. Everything else (page primitives,
/// pager, swap) is shared.
/// </summary>
public interface IObjectRoutines
{
    /// <summary>
    /// How often each probed branch of these routines ran (a work counter, never observed); indexed by the
    /// implementation's own probe list, empty for the reference.
    /// </summary>
    long[] ProbeCounts { get; }

    /// <summary>Makes the page index each object of a machine running these routines keeps.</summary>
    PageIndex NewPageIndex();

    /// <summary>uao_flush. => object write-locked on entry and exit</summary>
    bool AobjFlush(Uvm uvm, AnonObject aobj, long start, long stop, PgoFlags flags);

    /// <summary>uvn_flush. => object write-locked on entry and exit</summary>
    bool UvnFlush(Uvm uvm, VnodeObject vn, long start, long stop, PgoFlags flags);

    /// <summary>uvm_km_pgremove on the kernel object. => page-aligned kernel virtual addresses</summary>
    void KmPgremove(Uvm uvm, AnonObject kernelObject, ulong startVa, ulong endVa);

    /// <summary>uvm_obj_unwire. => page-aligned start and stop; the range was wired by uvm_obj_wire</summary>
    void ObjUnwire(Uvm uvm, UvmObject obj, long start, long stop);
}
