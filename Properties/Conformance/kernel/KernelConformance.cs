using UvmDiff.Harness.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// One hand-derived scenario of the whole kernel: the routine and branch it pins, the architecture, the
/// ops each with the outcome read off the source (<c>op =&gt; outcome</c>, with the sleep and what ran during
/// it for a flush asleep), and the starts of observation
/// lines that must be there at the end (<c>!</c> in front: no line may start so).
/// </summary>
public sealed record KernelCase(string Name, Arch Arch, string Source, string[] Steps, string[] Observed)
{
    public override string ToString() => $"{Name} ({Arch.ToString().ToLowerInvariant()})";
}

/// <summary>The reference kernel against cases derived by hand from uvm_fault.c, uvm_map.c, uvm_amap.c, uvm_mmap.c.</summary>
[Trait("Category", "Conformance")]
public class KernelConformance
{
    public static TheoryData<KernelCase> Cases() =>
        new([
            .. KernelCases.All,
            .. KernelForkCases.All,
            .. KernelFileCases.All,
            .. KernelCleanCases.All,
            .. MadviseCases.All,
            .. KernelCoverageCases.All,
            .. KernelSyscallCases.All,
            .. KernelMemoryCases.All,
            .. KernelSleepCases.All,
            .. KernelRaceCases.All,
            .. KernelAnonSwapCases.All,
        ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_FollowsTheHandDerivedOutcomes(KernelCase c)
    {
        var side = new KernelSide("reference", new ReferenceKernel(c.Arch), () => []);
        side.Reset();
        for (int i = 0; i < c.Steps.Length; i++)
        {
            string[] parts = c.Steps[i].Split(" => ", 2);
            var outcome = side.Apply(KernelOpParser.Parse(parts[0]));
            string described = outcome.Describe(side);
            Assert.True(parts[1] == described, $"{c}: step {i + 1} {parts[0]}: expected {parts[1]}, got {described}");
            if (!outcome.IsFatal)
                Assert.Null(side.CheckAllInvariants());
        }
        var lines = side.Observe();
        foreach (var expected in c.Observed)
        {
            bool absent = expected.StartsWith('!');
            string start = absent ? expected[1..] : expected;
            Assert.True(
                lines.Any(line => line.StartsWith(start, StringComparison.Ordinal)) != absent,
                $"{c}: {(absent ? "a" : "no")} line starting '{start}' in\n{string.Join("\n", lines)}"
            );
        }
    }
}
