using System.Runtime.CompilerServices;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Harness.Snapshots;
using Xunit;

namespace UvmDiff.Snapshots;

/// <summary>
/// Every snapshot of every layer's suites must render as the approved text in
/// <c>Snapshots/&lt;dir&gt;/&lt;Name&gt;.verified.txt</c>, and each of its alternative renderings (the same
/// scenario on each implementation, for the layers that render what all sides share) must render the
/// same text. The first check makes a spec change a reviewed diff; the second is the differential check
/// on hand-picked situations instead of random ones.
/// </summary>
public sealed class ScenarioSnapshots
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var suite in Layers.SnapshotSuites)
        {
            foreach (var snapshot in suite.Cases)
                cases.Add(suite.Directory, snapshot.Name);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario_Rendered_MatchesVerifiedSnapshotOnEverySide(string directory, string name)
    {
        var suite = Layers.SnapshotSuites.Single(s => s.Directory == directory);
        var snapshot = suite.Cases.Single(c => c.Name == name);
        string rendered = snapshot.Render();

        foreach (var (side, other) in snapshot.Alternatives())
        {
            if (other != rendered)
                Assert.Fail(
                    $"{side} renders {directory}/{name} differently:\n"
                        + UnifiedDiff.Create(rendered, other, "expected", side)
                );
        }

        var result = SnapshotStore.Check(
            SnapshotDirectory(directory),
            name,
            rendered,
            SnapshotStore.WriteReceivedByDefault
        );
        if (!result.IsMatch)
            Assert.Fail(result.Message());
    }

    [Fact]
    public void Suites_AsRegistered_HaveUniqueDirectoriesAndNames()
    {
        var directories = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var suite in Layers.SnapshotSuites)
        {
            Assert.True(directories.Add(suite.Directory), $"two suites write to Snapshots/{suite.Directory}");
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var snapshot in suite.Cases)
                Assert.True(names.Add(snapshot.Name), $"duplicate scenario {suite.Directory}/{snapshot.Name}");
        }
    }

    /// <summary>Rendered op lines must replay: a snapshot line pasted into a trace file is the same op.</summary>
    [Fact]
    public void ObjectScenarios_AsDefined_HaveFewPhasesAndReplayableOps()
    {
        foreach (var scenario in ObjectScenarios.All)
        {
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
    private static string SnapshotDirectory(string name, [CallerFilePath] string sourceFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(sourceFile) ?? "", name);
        if (!Directory.Exists(directory))
            throw new InvalidOperationException(
                $"snapshot directory {directory} not found (built with mapped source paths?)"
            );
        return directory;
    }
}
