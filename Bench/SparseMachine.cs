using UvmDiff.Implementations;
using UvmDiff.Implementations.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Bench;

/// <summary>Which version of the object routines a machine runs.</summary>
public enum Side
{
    /// <summary>The kernel before seed 000's diff: per-offset uvm_pagelookup over a hash index.</summary>
    Reference,

    /// <summary>Seed 000's diff, corrected: red-black tree and range iteration.</summary>
    RbTree,
}

public static class SideExtensions
{
    public static string Label(this Side side) => side == Side.Reference ? "reference" : "rbtree";

    public static IObjectRoutines NewRoutines(this Side side) =>
        side == Side.Reference ? ReferenceRoutines.Instance : new RangeRoutines(FaultSet.None);
}

/// <summary>
/// The seed 000 situation on one side: huge objects with a handful of resident pages, which is where
/// a per-offset loop pays for every hole and a range walk pays only for what is resident.
/// => the vnode and the first aobj are 1 GiB with <see cref="ResidentPages"/> pages spread
///    <see cref="Stride"/> pages apart: the sparse flushes walk them
/// => the second aobj is 1 GiB with one dense run of <see cref="ResidentPages"/> pages in its middle:
///    uvm_obj_unwire requires every offset of its range to be resident, so the wired range is dense
/// => each object has its own index, made by the side's routines, so each side walks its own kind
/// </summary>
public sealed class SparseMachine
{
    public const int Frames = 64;
    public const int SwapSlots = 16;

    /// <summary>1 GiB in pages.</summary>
    public const int ObjectPages = 1 << 18;

    public const long ObjectBytes = (long)ObjectPages << K.PageShift;
    public const int ResidentPages = 16;
    public const int Stride = ObjectPages / ResidentPages;

    /// <summary>The dense run the wire/unwire scenario works on: pages [ObjectPages/2, +ResidentPages).</summary>
    public const long WiredStart = (long)(ObjectPages / 2) << K.PageShift;

    public const long WiredEnd = WiredStart + ((long)ResidentPages << K.PageShift);

    public readonly Side Side;
    public readonly IObjectRoutines Routines;
    public readonly Uvm Uvm;
    public readonly VnodeObject Vnode;
    public readonly AnonObject Aobj;
    public readonly AnonObject WiredAobj;

    private SparseMachine(Side side)
    {
        Side = side;
        Routines = side.NewRoutines();
        Uvm = new Uvm(Frames, SwapSlots);
        Vnode = Uvm.Add(new VnodeObject(1, Routines.NewPageIndex(), ObjectBytes));
        Aobj = Uvm.Add(new AnonObject(2, Routines.NewPageIndex(), ObjectPages, kernSwap: false));
        WiredAobj = Uvm.Add(new AnonObject(3, Routines.NewPageIndex(), ObjectPages, kernSwap: false));
        for (int i = 0; i < ResidentPages; i++)
        {
            long spread = (long)i * Stride << K.PageShift;
            FaultIn(Vnode, spread);
            FaultIn(Aobj, spread);
            FaultIn(WiredAobj, WiredStart + ((long)i << K.PageShift));
        }
    }

    /// <summary>
    /// A machine on which every scenario has run once, so that each later invocation starts from the
    /// state it leaves behind (the first uao_flush(Deactivate) moves pages to the inactive queue; later
    /// ones do not) and costs what every other invocation costs.
    /// </summary>
    public static SparseMachine Settled(Side side)
    {
        var machine = new SparseMachine(side);
        foreach (var scenario in Enum.GetValues<Scenario>())
            Workloads.Invoke(machine, scenario);
        return machine;
    }

    private void FaultIn(UvmObject obj, long offset)
    {
        string? error = OtherThreads.FaultIn(Uvm, obj, offset, readFails: false);
        if (error is not null)
            throw new InvalidOperationException($"fault at 0x{offset:x} of object {obj.Id}: {error}");
    }
}
