using UvmDiff.Harness.Core;
using UvmDiff.Harness.Pmap;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Pmap;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>A pmap fault names the one architecture whose machines it changes; --arch of the other refuses it.</summary>
public class PmapArchFaultTests
{
    [Fact]
    public void EveryPmapFault_ChangesExactlyOneArchitecture()
    {
        foreach (var fault in PmapFaults.All)
            Assert.True(PmapFaults.Amd64Only.Contains(fault) ^ PmapFaults.Arm64Only.Contains(fault), fault.Name);
    }

    [Fact]
    public void FaultOfTheArchitectureNotRun_IsRefusedInOneLine()
    {
        foreach (var fault in PmapFaults.Amd64Only)
        {
            var error = Assert.Throws<LayerOptionException>(() =>
                PmapLayer.Arm64.RefuseUnreachable(FaultSet.Of(fault))
            );
            Assert.Contains($"fault {fault.Name} changes the amd64 pmap", error.Message);
            PmapLayer.Amd64.RefuseUnreachable(FaultSet.Of(fault));
            PmapLayer.Both.RefuseUnreachable(FaultSet.Of(fault));
        }
        foreach (var fault in PmapFaults.Arm64Only)
        {
            Assert.Throws<LayerOptionException>(() => PmapLayer.Amd64.RefuseUnreachable(FaultSet.Of(fault)));
            PmapLayer.Arm64.RefuseUnreachable(FaultSet.Of(fault));
        }
    }
}
