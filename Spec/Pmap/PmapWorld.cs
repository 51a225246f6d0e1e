namespace UvmDiff.Spec.Pmap;

/// <summary>
/// The world every pmap machine is built for: three user pmaps (processes), two CPUs, six managed
/// physical pages, and the map entries every process has (the ranges <c>uvm_map_teardown</c> hands to
/// <c>pmap_remove</c> at exit). The entries straddle a 2 MiB block, a 1 GiB directory and a 512-entry
/// table boundary, so removes, skips and cascades cross them. Every address lies below 512 GiB, the
/// user space of arm64's three-level pmaps (pmap.c 1.113: <c>pmap_create</c> never sets
/// <c>have_4_level_pt</c>).
/// </summary>
public static class PmapWorld
{
    public const int Pmaps = 3;
    public const int Cpus = 2;
    public const int Pages = 6;
    public const ulong PageSize = 4096;
    public const int PageShift = 12;

    /// <summary>Physical address of data page 0; page g is at <c>PageBase + g * PageSize</c>.</summary>
    public const ulong PageBase = 0x4000_0000;

    /// <summary>arm64 user space: 39 bits with three-level tables.</summary>
    public const ulong UserTop = 1UL << 39;

    /// <summary>The map entries of every process, as [start, end) byte ranges.</summary>
    public static readonly (ulong Start, ulong End)[] Entries =
    [
        (0x003f_c000, 0x0040_4000),
        (0x3fff_e000, 0x4000_2000),
        (0x10_0000_0000, 0x10_0000_8000),
    ];

    /// <summary>
    /// The entries as exit hands them to the pmap, one array per set of wired entries: index
    /// <c>wired</c> has entry i wired exactly when bit i of <c>wired</c> is set.
    /// </summary>
    public static readonly MapSpan[][] Teardowns = AllTeardowns();

    private static MapSpan[][] AllTeardowns()
    {
        var teardowns = new MapSpan[1 << Entries.Length][];
        for (int wired = 0; wired < teardowns.Length; wired++)
        {
            teardowns[wired] = new MapSpan[Entries.Length];
            for (int i = 0; i < Entries.Length; i++)
                teardowns[wired][i] = new MapSpan(Entries[i].Start, Entries[i].End, (wired >> i & 1) != 0);
        }
        return teardowns;
    }

    /// <summary>=> the index of the entry holding [sva, eva), or -1</summary>
    public static int EntryOf(ulong sva, ulong eva)
    {
        for (int i = 0; i < Entries.Length; i++)
        {
            if (Entries[i].Start <= sva && sva < eva && eva <= Entries[i].End)
                return i;
        }
        return -1;
    }
}
