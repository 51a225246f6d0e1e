using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Harness.Snapshots;
using UvmDiff.Implementations;
using Xunit;

namespace UvmDiff.Snapshots;

/// <summary>
/// Every object-layer scenario rendered on the reference must be the approved text in
/// <c>Snapshots/objects/&lt;Name&gt;.verified.txt</c>, and every implementation must render the same
/// text. The first check makes a spec change a reviewed diff; the second is the differential check
/// on hand-picked situations instead of random ones.
/// </summary>
public sealed class ObjectScenarioSnapshots
{
    public static TheoryData<string> ScenarioNames()
    {
        var names = new TheoryData<string>();
        foreach (var scenario in ObjectScenarios.All)
            names.Add(scenario.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Scenario_RenderedOnReference_MatchesVerifiedSnapshot(string name)
    {
        var scenario = ObjectScenarios.Find(name) ?? throw new InvalidOperationException($"no scenario {name}");
        string rendered = ObjectScenarios.Render(ObjectLayer.Instance.CreateReference(), scenario);

        foreach (var implementation in ObjectLayer.Instance.CreateImplementations(FaultSet.None))
        {
            string other = ObjectScenarios.Render(implementation, scenario);
            if (other != rendered)
            {
                Assert.Fail(
                    $"{implementation.Name} renders {name} differently from the reference:\n"
                        + UnifiedDiff.Create(rendered, other, "reference", implementation.Name)
                );
            }
        }

        var result = SnapshotStore.Check(SnapshotDirectory(), name, rendered, SnapshotStore.WriteReceivedByDefault);
        if (!result.IsMatch)
            Assert.Fail(result.Message());
    }

    /// <summary>
    /// Rendered op lines must replay: a snapshot line pasted into a trace file is the same op.
    /// </summary>
    [Fact]
    public void Scenarios_AsDefined_HaveUniqueNamesFewPhasesAndReplayableOps()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var scenario in ObjectScenarios.All)
        {
            Assert.True(names.Add(scenario.Name), $"duplicate scenario name {scenario.Name}");
            Assert.InRange(scenario.Phases.Count, 2, 4);
            foreach (var phase in scenario.Phases)
            {
                Assert.NotEmpty(phase.Ops);
                foreach (var op in phase.Ops)
                    Assert.Equal(op, ObjOpParser.Parse(op.ToString()));
            }
        }
    }

    /// <summary>
    /// The verified files live in the source tree, not the build output, so that a received file lands
    /// where it is reviewed and approved. => the compiler-recorded path of this file still exists
    /// </summary>
    private static string SnapshotDirectory([CallerFilePath] string sourceFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(sourceFile) ?? "", "objects");
        if (!Directory.Exists(directory))
            throw new InvalidOperationException(
                $"snapshot directory {directory} not found (built with mapped source paths?)"
            );
        return directory;
    }
}
