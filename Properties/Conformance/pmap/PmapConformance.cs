using UvmDiff.Harness.Pmap;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties.Conformance.Pmap;

/// <summary>
/// One hand-derived scenario: the kernel routine and branch it comes from, the architecture profile it
/// is run under, the ops each with the outcome read off the source (<c>op =&gt; outcome</c>), and
/// observation lines that must hold at the end. Nothing here is computed by the spec.
/// </summary>
public sealed record PmapCase(string Name, Arch Arch, string Source, string[] Steps, string[] Observed)
{
    public override string ToString() => $"{Name} ({Arch.ToString().ToLowerInvariant()})";
}

/// <summary>The reference pmap against hand-derived cases, every row of <see cref="PmapProfile"/> included.</summary>
[Trait("Category", "Conformance")]
public class PmapConformance
{
    public static TheoryData<PmapCase> Cases()
    {
        var data = new TheoryData<PmapCase>();
        foreach (var c in PmapCases.All)
            data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_FollowsTheHandDerivedOutcomes(PmapCase c)
    {
        var side = new PmapSide("reference", new ReferencePmap(PmapProfile.Of(c.Arch)), () => []);
        side.Reset();
        for (int i = 0; i < c.Steps.Length; i++)
        {
            string[] parts = c.Steps[i].Split(" => ");
            var outcome = side.Apply(PmapOpParser.Parse(parts[0]));
            Assert.True(
                parts[1] == outcome.ToString(),
                $"{c}: step {i + 1} {parts[0]}: expected {parts[1]}, got {outcome}"
            );
            Assert.Null(side.CheckAllInvariants());
        }
        var lines = side.Observe();
        foreach (var expected in c.Observed)
            Assert.True(lines.Contains(expected), $"{c}: no line '{expected}' in\n{string.Join("\n", lines)}");
    }

    [Fact]
    public void EveryProfileRow_HasACaseOnEachArchitecture()
    {
        foreach (string row in PmapCases.ProfileRows)
        {
            foreach (var arch in Enum.GetValues<Arch>())
                Assert.Contains(PmapCases.All, c => c.Arch == arch && c.Name.StartsWith(row, StringComparison.Ordinal));
        }
    }
}
