using UvmDiff.Harness.Map;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;
using Xunit;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>
/// Laws of the map reference's own checks and helpers: uvm_tree_sanity names each kind of broken map,
/// amap_splitref and amap_pp_adjref panic where the kernel does, and a copied map observes the same.
/// </summary>
[Trait("Category", "Law")]
public class MapLaws
{
    private static VmMap TwoEntries()
    {
        var map = new VmMap();
        Assert.Null(Mapping.MapFixed(map, 0x10000, 0x2000, Prot.RW, Prot.RWX, MapKind.Shared, 0, 0));
        Assert.Null(Mapping.MapFixed(map, 0x14000, 0x1000, Prot.R, Prot.RWX, MapKind.Private, 0, 0));
        Assert.Null(Sanity.Check(map));
        return map;
    }

    public static TheoryData<string, string> Breakages() =>
        new()
        {
            { "gap", "entry 0x14000-0x15000 does not start where the previous free space ends (0x13000)" },
            { "below-min", "entry 0x0-0x12000 does not start where the previous free space ends (0x1000)" },
            { "empty", "entry 0x10000-0x10000 is empty or reversed" },
            { "unaligned", "entry 0x10000-0x12000 is not page-aligned" },
            { "past-max", "entry 0x14000-0x15000 has free space past the map (0x0)" },
            { "amap-short", "entry 0x10000-0x12000 reaches past its amap (1+2 > 2)" },
            { "wired-negative", "entry 0x10000-0x12000 has wired_count -1" },
            {
                "short-tiling",
                "the last free space ends at 0xffffffffffffe000, not at the map's end 0xfffffffffffff000"
            },
            { "size", "map size 0x4000, should be 0x3000" },
        };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void TreeSanity_NamesEachBrokenInvariant(string breakage, string message)
    {
        var map = TwoEntries();
        var first = map.Entries[0];
        var last = map.Entries[1];
        switch (breakage)
        {
            case "gap":
                first.FreeSpace -= 0x1000;
                break;
            case "below-min":
                first.Start = 0;
                break;
            case "empty":
                first.End = first.Start;
                first.FreeSpace = 0x4000;
                break;
            case "unaligned":
                first.FreeSpace += 1;
                break;
            case "past-max":
                last.FreeSpace += 0x1000;
                break;
            case "amap-short":
                first.PageOff = 1;
                break;
            case "wired-negative":
                first.WiredCount = -1;
                break;
            case "short-tiling":
                last.FreeSpace -= 0x1000;
                break;
            case "size":
                map.Size += 0x1000;
                break;
        }
        Assert.Equal(message, Sanity.Check(map));
    }

    [Fact]
    public void AmapSplitRef_PanicsAtZeroOffsetAndPastTheAmap()
    {
        var amap = new Amap(1, 4);
        Assert.Equal(
            "amap_splitref: split at zero offset",
            Assert.Throws<KernelPanic>(() => amap.SplitRef(0, 0)).Message
        );
        Assert.Equal(
            "amap_splitref: map size check failed",
            Assert.Throws<KernelPanic>(() => amap.SplitRef(2, 2)).Message
        );
        Assert.Throws<KernelPanic>(() => new Amap(2, 0));
    }

    /// <summary>amap_pp_adjref: `if (ref < 0) panic("amap_pp_adjref: negative reference count")`.</summary>
    [Fact]
    public void AmapUnref_BelowZeroPerPage_Panics()
    {
        var amap = new Amap(1, 4);
        amap.SplitRef(0, 2);
        amap.SplitRef(0, 1);
        Assert.False(amap.Unref(0, 2));
        Assert.Equal(
            "amap_pp_adjref: negative reference count",
            Assert.Throws<KernelPanic>(() => amap.Unref(0, 2)).Message
        );
    }

    /// <summary>A deep copy (how sides restore a /proc/PID/maps start) observes exactly as the original, and shares nothing with it.</summary>
    [Fact]
    public void CopyFrom_ObservesTheSame_AndIsIndependent()
    {
        var original = new ReferenceMap();
        var side = new MapSide("original", original);
        side.Reset();
        foreach (
            var line in new[]
            {
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Shared)",
                "Fault(addr: 0x11000, write: true)",
                "Mmap(addr: 0x20000, size: 0x2000, prot: R, kind: FilePrivate, obj: 2, off: 0x0)",
                "Fault(addr: 0x20000)",
                "Mprotect(addr: 0x12000, size: 0x1000, prot: R)",
                "Mmap(addr: 0x30000, size: 0x1000, prot: RW, kind: Shared)",
            }
        )
            Assert.Equal(Harness.Core.Outcome.Ok, side.Apply(MapOpParser.Parse(line)));
        var copy = new ReferenceMap();
        copy.Map.CopyFrom(original.Map);
        var copySide = new MapSide("copy", copy);
        Assert.Equal(side.Observe(), copySide.Observe());
        copySide.Apply(MapOpParser.Parse("Munmap(addr: 0x10000, size: 0x4000)"));
        Assert.NotEqual(side.Observe(), copySide.Observe());
        Assert.Contains("anon 1 refs 1 wired 0", side.Observe());
    }
}
