using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Objects;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Replay-syntax ops applied to the reference and to the rbtree implementation alike, for laws that
/// pin kernel behaviour of code both sides share: every outcome and the final observation must agree,
/// and the caller then asserts what the kernel does on the reference's outcome and observation.
/// </summary>
internal static class BothSides
{
    /// <summary>An outcome as text: the result, and the sleeps taken for it.</summary>
    public sealed record Seen(string Result, string Sleeps);

    public static (Seen Last, IReadOnlyList<string> Observation) Run(params string[] lines)
    {
        var reference = new ObjectSide("reference", ReferenceRoutines.Instance);
        var rbtree = new ObjectSide("rbtree", new RangeRoutines(FaultSet.None));
        Seen? last = null;
        foreach (var line in lines)
        {
            var op = ObjOpParser.Parse(line);
            var outcome = reference.Apply(op);
            Assert.Equal(outcome, rbtree.Apply(op));
            last = new Seen(outcome.ToString(), reference.LastSleeps);
            Assert.Equal(last.Sleeps, rbtree.LastSleeps);
            if (!outcome.IsFatal)
            {
                Assert.Null(reference.CheckInvariants());
                Assert.Null(rbtree.CheckInvariants());
                Assert.Null(reference.CheckAllInvariants());
                Assert.Null(rbtree.CheckAllInvariants());
            }
        }
        Assert.Equal(reference.Observe(), rbtree.Observe());
        return (last!, reference.Observe());
    }

    /// <summary>Alloc then Dirty for each page number of object <paramref name="obj"/>.</summary>
    public static string[] Faulted(int obj, params int[] pages) =>
        pages
            .SelectMany(p =>
                new[] { $"Alloc(obj: {obj}, off: 0x{p * 0x1000:x})", $"Dirty(obj: {obj}, off: 0x{p * 0x1000:x})" }
            )
            .ToArray();

    /// <summary>The observation line of the page at <paramref name="off"/> of the object listed before it.</summary>
    public static string Page(IReadOnlyList<string> obs, int obj, long off)
    {
        int at = -1;
        for (int i = 0; i < obs.Count; i++)
        {
            if (obs[i].StartsWith($"obj {obj} ", StringComparison.Ordinal))
                at = i;
            else if (at >= 0 && !obs[i].StartsWith("  ", StringComparison.Ordinal))
                break;
            else if (at >= 0 && obs[i].StartsWith($"  page 0x{off:x} ", StringComparison.Ordinal))
                return obs[i];
        }
        return "(not resident)";
    }

    /// <summary>The lines of one page queue, in queue order.</summary>
    public static string[] Queue(IReadOnlyList<string> obs, string name) =>
        obs.Where(l => l.StartsWith(name + " queue: ", StringComparison.Ordinal)).ToArray();
}
