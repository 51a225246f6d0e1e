using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Implementations.Objects;

/// <summary>
/// uvm_page.c: uvm_pagerangefirst and uvm_pagerangenext from seed 000's diff: RBT_NFIND and RBT_NEXT
/// bounded by stop, with the diff's assertions.
/// </summary>
public sealed class PageRange(bool endInclusive, long[] probes)
{
    /// <summary>Pages one routine call may visit before the simulation calls it a livelock.</summary>
    public const int MaxVisitsPerCall = 1 << 20;

    private int _visits;

    public void BeginCall() => _visits = 0;

    /// <summary>
    /// The smallest resident page with offset in [start, stop), or null.
    /// => object locked; a released page found must be busy
    /// </summary>
    public VmPage? First(UvmObject obj, long start, long stop)
    {
        var pg = ((RbPageTree)obj.Pages).NFind(start);
        if (pg is null || Beyond(pg.Offset, stop))
            return null;
        K.Kassert(obj.NPages != 0, "obj->uo_npages != 0");
        return Checked(pg);
    }

    /// <summary>
    /// The next resident page after <paramref name="prev"/> below stop, or null.
    /// => <paramref name="prev"/> is still in the tree and the lock was held since it was found
    /// </summary>
    public VmPage? Next(UvmObject obj, VmPage prev, long stop)
    {
        var pg = ((RbPageTree)obj.Pages).Next(prev);
        if (pg is null || Beyond(pg.Offset, stop))
            return null;
        return Checked(pg);
    }

    private bool Beyond(long offset, long stop)
    {
        if (offset == stop)
            probes[ObjectProbes.PageAtStop]++;
        return endInclusive ? offset > stop : offset >= stop;
    }

    private VmPage Checked(VmPage pg)
    {
        if (++_visits > MaxVisitsPerCall)
            throw new SimulationLimit($"range iteration visited more than {MaxVisitsPerCall} pages in one call");
        K.Kassert(
            !pg.Has(PgFlags.Released) || pg.Has(PgFlags.Busy),
            "(pg->pg_flags & PG_RELEASED) == 0 || (pg->pg_flags & PG_BUSY) != 0"
        );
        return pg;
    }
}
