using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// The machine every object-layer run starts from: small on purpose, so that generated ops collide.
/// Object 1 is an aobj, 2 a vnode whose size ends mid-page, 3 the kernel object of uvm_km_pgremove.
/// </summary>
public static class ObjectWorld
{
    public const int Frames = 96;
    public const int SwapSlots = 256;
    public const int ObjectPages = 48;
    public const int AobjId = 1;
    public const int VnodeId = 2;
    public const int KernelId = 3;

    /// <summary>u_size of the vnode: 40 pages and a half.</summary>
    public const long VnodeSize = 40 * K.PageSize + K.PageSize / 2;

    public static Uvm Create(IObjectRoutines routines)
    {
        var uvm = new Uvm(Frames, SwapSlots);
        uvm.Add(new AnonObject(AobjId, routines.NewPageIndex(), ObjectPages, kernSwap: false));
        uvm.Add(new VnodeObject(VnodeId, routines.NewPageIndex(), VnodeSize));
        uvm.Add(new AnonObject(KernelId, routines.NewPageIndex(), ObjectPages, kernSwap: true));
        return uvm;
    }

    public static bool IsObject(int id) => id is AobjId or VnodeId or KernelId;

    public static long SizeOf(int id) => id == VnodeId ? K.RoundPage(VnodeSize) : (long)ObjectPages << K.PageShift;
}
