using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pmap;
using Xunit;
using static UvmDiff.Properties.KernelCrossLayerLaws;

namespace UvmDiff.Properties;

/// <summary>
/// The file half of <see cref="CrossLayer.Check"/>'s translation invariant must be able to fail: a
/// translation through a file entry without an anon must map the file's resident page at the entry's
/// offset. A kernel with one file page mapped is shown to the check through a view that tells one lie.
/// </summary>
[Trait("Category", "Law")]
public class KernelFileCrossLayerLaws
{
    /// <summary>p0 runs on cpu 0 with file 1's first page mapped shared and read-only at 0x30000000 (page 0).</summary>
    private static ReferenceKernel Kernel() =>
        After(Arch.Amd64, "switch cpu0 p0", "mmap p0 0x30000000 +1 r-- file 1 0x0 shared", "read cpu0 0x30000000");

    [Fact]
    public void Check_OfTheTruth_Passes() => Assert.Null(CrossLayer.Check(Lying(Kernel(), pmap: (_, _, _) => true)));

    [Fact]
    public void Check_TranslationToAFileOffsetWithNoResidentPage_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x30000000 maps page 0, not file 1's page at 0x0",
            CrossLayer.Check(Lying(Kernel(), owners: (name, _, _) => name != nameof(IKernelFactSink.FilePage)))
        );

    [Fact]
    public void Check_TranslationToAnotherPageThanTheFiles_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x30000000 maps page 3, not file 1's page at 0x0",
            CrossLayer.Check(
                Lying(
                    Kernel(),
                    pmap: Replacing<IPmapFactSink>(
                        nameof(IPmapFactSink.Mapping),
                        args => (ulong)args[1]! == 0x30000000,
                        2,
                        _ => 3
                    )
                )
            )
        );
}
