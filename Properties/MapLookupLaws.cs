using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Map;
using UvmDiff.Implementations;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>Laws of every map machine, the reference's included, about its lookup.</summary>
[Trait("Category", "Law")]
public class MapLookupLaws
{
    /// <summary>
    /// Lookup, which the composed kernels' faults use instead of a walk, answers what a walk shows: after
    /// every step, at every page of every entry (holes included) and the page after each, on every machine.
    /// </summary>
    [Property(Arbitrary = [typeof(MapSequences)], MaxTest = 1_000, QuietOnSuccess = true)]
    public void Lookup_AfterEveryStep_AnswersWhatTheWalkShows(Sequence<MapOp> ops) =>
        AfterEveryStep(
            ops,
            (side, op) =>
            {
                var view = MapView.Of(side.Machine);
                foreach (var mapped in view.Entries)
                {
                    for (
                        ulong va = mapped.Start;
                        va <= mapped.End && va - mapped.Start <= 64 * MapConst.PageSize;
                        va += MapConst.PageSize
                    )
                    {
                        var shown =
                            view.EntryAt(va) is { EType: var type } at && (type & EType.Hole) == 0
                                ? at
                                : (EntryFacts?)null;
                        bool found = side.Machine.Lookup(
                            va,
                            out var entry,
                            out int anon,
                            out int refs,
                            out bool shared
                        );
                        Assert.True(found == shown.HasValue, $"{side.Name}: Lookup(0x{va:x}) found {found} after {op}");
                        if (!found)
                            continue;
                        Assert.Equal(shown!.Value, entry);
                        Assert.Equal(view.AnonAt(entry, va), anon);
                        Assert.Equal(anon == 0 ? 0 : view.Anons[anon].Refs, refs);
                        Assert.Equal(entry.AmapId != 0 && view.Shared[entry.AmapId], shared);
                    }
                }
            }
        );

    /// <summary>ObjectRefs, which the composed kernels count a process's file references with, answers the walk's Object facts.</summary>
    [Property(Arbitrary = [typeof(MapSequences)], MaxTest = 1_000, QuietOnSuccess = true)]
    public void ObjectRefs_AfterEveryStep_AnswersTheWalksObjectFacts(Sequence<MapOp> ops) =>
        AfterEveryStep(
            ops,
            (side, _) =>
            {
                var walked = new MapTextObserver();
                side.Machine.Walk(walked);
                var answered = new MapTextObserver();
                for (int obj = 1; obj <= MapConst.Objects; obj++)
                    answered.Object(obj, side.Machine.ObjectRefs(obj));
                Assert.Equal(answered.Lines().Where(IsObjectFact), walked.Lines().Where(IsObjectFact));
            }
        );

    /// <summary>On the reference and every implementation, after every op that did not end the machine: <paramref name="check"/>.</summary>
    private static void AfterEveryStep(Sequence<MapOp> ops, Action<MapSide, MapOp> check)
    {
        var sides = new List<ISide<MapOp>> { MapLayer.Instance.CreateReference() };
        sides.AddRange(MapLayer.Instance.CreateImplementations(FaultSet.None));
        foreach (var side in sides.Cast<MapSide>())
        {
            side.Reset();
            foreach (var op in ops.Ops)
            {
                if (side.Apply(op).IsFatal)
                    break;
                check(side, op);
            }
        }
    }

    private static bool IsObjectFact(string line) => line.StartsWith("obj ");
}
