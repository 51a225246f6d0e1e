using UvmDiff.Harness.Objects;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties.Conformance.Objects;

/// <summary>
/// Runs replay-syntax ops on the reference alone, for conformance cases: every expected outcome, sleep
/// and observation line in those cases is written out by hand from the kernel source, never computed by
/// the spec. A fatal outcome (panic, hang) ends the run, as it ends a machine.
/// </summary>
internal static class OnTheReference
{
    /// <summary>What one op returned, and the sleeps it took for it ("" for none).</summary>
    public sealed record Step(string Result, string Sleeps = "");

    public static (IReadOnlyList<Step> Steps, IReadOnlyList<string> Observation) Run(params string[] lines)
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        var steps = new List<Step>();
        foreach (var line in lines)
        {
            var outcome = side.Apply(ObjOpParser.Parse(line));
            steps.Add(new Step(outcome.ToString(), side.LastSleeps));
            if (outcome.IsFatal)
                break;
        }
        return (steps, side.Observe());
    }

    /// <summary>The last step of <paramref name="lines"/>, for cases about one call.</summary>
    public static (Step Last, IReadOnlyList<string> Observation) Last(params string[] lines)
    {
        var (steps, observation) = Run(lines);
        return (steps[^1], observation);
    }

    /// <summary>The whole observation, line by line, as written out by hand.</summary>
    public static void AssertObservation(IReadOnlyList<string> actual, params string[] expected) =>
        Assert.Equal(expected, actual);

    /// <summary>The world's three objects with no pages, slots or blocks, for observations written out whole.</summary>
    public const string EmptyAobj = "obj 1 aobj refs 1 npages 0";
    public const string EmptyVnode = "obj 2 vnode refs 1 npages 0";
    public const string EmptyKernel = "obj 3 kernel aobj refs 1 npages 0";

    /// <summary>96 page faults filling every free page: all of the aobj, then all of the kernel object.</summary>
    public static string[] AllMemoryFaultedIn() =>
        [
            .. Enumerable.Range(0, 48).Select(p => $"Alloc(obj: 1, off: 0x{p * 0x1000:x})"),
            .. Enumerable.Range(0, 48).Select(p => $"Alloc(obj: 3, off: 0x{p * 0x1000:x})"),
        ];
}
