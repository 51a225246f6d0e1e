namespace UvmDiff.Harness.Snapshots;

/// <summary>
/// One snapshot: a named scenario's approved rendering, and the renderings that must equal it (the
/// same scenario on each implementation, where the layer renders what every side shares).
/// </summary>
public sealed record SnapshotCase(
    string Name,
    string Description,
    Func<string> Render,
    Func<IReadOnlyList<(string Side, string Text)>> Alternatives
);

/// <summary>
/// The snapshots of one directory under <c>Snapshots/</c> (<c>objects</c>, <c>map</c>, <c>amd64</c>, ...): the
/// snapshot tests check each case against <c>&lt;Directory&gt;/&lt;Name&gt;.verified.txt</c>, and
/// <c>uvmdiff scenario</c> prints them.
/// </summary>
public sealed record SnapshotSuite(string Directory, IReadOnlyList<SnapshotCase> Cases)
{
    /// <summary>
    /// The usual suite: scenarios rendered on the reference, which every implementation must match.
    /// <paramref name="part"/> picks what of each side is rendered (one architecture of a pair); by default the whole side.
    /// </summary>
    public static SnapshotSuite OnReference<TOp>(
        string directory,
        Core.ILayer<TOp> layer,
        IReadOnlyList<Scenario<TOp>> scenarios,
        Func<Core.ISide<TOp>, Core.ISide<TOp>>? part = null
    )
        where TOp : class
    {
        part ??= side => side;
        return new(
            directory,
            [
                .. scenarios.Select(scenario => new SnapshotCase(
                    scenario.Name,
                    scenario.Description,
                    () => Scenarios.Render(part(layer.CreateReference()), scenario),
                    () =>
                        [
                            .. layer
                                .CreateImplementations(Implementations.FaultSet.None)
                                .Select(part)
                                .Select(side => (side.Name, Scenarios.Render(side, scenario))),
                        ]
                )),
            ]
        );
    }
}
