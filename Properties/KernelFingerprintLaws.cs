using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The reference kernel fingerprints amaps and anons once each, however many maps reach them (the kernel
/// shares them between processes after fork, so a per-map sum would count them once per process and
/// tell a shared amap from two private copies only by chance).
/// </summary>
[Trait("Category", "Law")]
public class KernelFingerprintLaws
{
    [Fact]
    public void AnonFingerprint_CountsAnAmapSharedByTwoProcessesOnce()
    {
        var kernel = KernelCrossLayerLaws.After(
            Arch.Amd64,
            "switch cpu0 p0",
            "mmap p0 0x10000000 +1 rw- shared",
            "write cpu0 0x10000000",
            "exit p1",
            "fork p0 p1"
        );
        var parentOnly = new SplitMapSum();
        kernel.WalkMap(0, parentOnly);
        var childOnly = new SplitMapSum();
        kernel.WalkMap(1, childOnly);
        Assert.NotEqual(0UL, parentOnly.Shared);
        Assert.Equal(parentOnly.Shared, childOnly.Shared);
        Assert.Equal(parentOnly.Shared, kernel.AnonFingerprint());
    }
}
