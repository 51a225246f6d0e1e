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
            var options = new LayerOptions(Faults: FaultSet.Of(fault));
            var error = Assert.Throws<LayerOptionException>(() => options.Refusing(PmapLayer.Arm64));
            Assert.Contains($"fault {fault.Name} changes the amd64 pmap", error.Message);
            options.Refusing(PmapLayer.Amd64);
            options.Refusing(PmapLayer.Both);
        }
        foreach (var fault in PmapFaults.Arm64Only)
        {
            var options = new LayerOptions(Faults: FaultSet.Of(fault));
            Assert.Throws<LayerOptionException>(() => options.Refusing(PmapLayer.Amd64));
            options.Refusing(PmapLayer.Arm64);
        }
    }
}
