using UvmDiff.Harness.Map;
using UvmDiff.Spec.Map;
using Xunit;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>
/// Runs replay-syntax map ops on the reference alone, for conformance cases: every expected outcome and
/// observation line in those cases is written out by hand from uvm_map.c, uvm_amap.c and uvm_fault.c,
/// never computed by the spec. A panic ends the run.
/// </summary>
internal static class MapOnTheReference
{
    public const string NoObjectRefs = "obj 1 refs 1|obj 2 refs 1|obj 3 refs 1";

    public static (IReadOnlyList<string> Outcomes, IReadOnlyList<string> Observation, ReferenceMap Machine) Run(
        params string[] lines
    )
    {
        var machine = new ReferenceMap();
        var side = new MapSide("reference", machine);
        side.Reset();
        var outcomes = new List<string>();
        foreach (var line in lines)
        {
            var outcome = side.Apply(MapOpParser.Parse(line));
            outcomes.Add(outcome.ToString());
            if (outcome.IsFatal)
                break;
        }
        return (outcomes, side.Observe(), machine);
    }

    /// <summary>The outcomes, then the whole observation, each written out by hand; '|' separates lines.</summary>
    public static void Expect(string[] ops, string outcomes, params string[] observation)
    {
        var (actualOutcomes, actual, _) = Run(ops);
        Assert.Equal(outcomes, string.Join(", ", actualOutcomes));
        Assert.Equal(observation.SelectMany(l => l.Split('|')).ToArray(), actual.ToArray());
    }

    /// <summary>The outcomes and the entry lines only (those starting with 0x).</summary>
    public static void ExpectEntries(string[] ops, string outcomes, params string[] entries)
    {
        var (actualOutcomes, actual, _) = Run(ops);
        Assert.Equal(outcomes, string.Join(", ", actualOutcomes));
        Assert.Equal(entries, actual.Where(l => l.StartsWith("0x", StringComparison.Ordinal)).ToArray());
    }

    /// <summary>The non-entry lines only (amaps, anons, object pages, objects, size).</summary>
    public static void ExpectRest(string[] ops, params string[] rest)
    {
        var (_, actual, _) = Run(ops);
        Assert.Equal(
            rest.SelectMany(l => l.Split('|')).ToArray(),
            actual.Where(l => !l.StartsWith("0x", StringComparison.Ordinal)).ToArray()
        );
    }
}
