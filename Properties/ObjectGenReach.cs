using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The generator reaches what the audit of the reference added: uvn_flush's VM_PAGER_AGAIN retry (a
/// non-waiting flush write meeting the Again act) and every mapping state of a page, so the differential
/// runs exercise them and not only the conformance cases.
/// </summary>
public class ObjectGenReach
{
    [Fact]
    public void Generator_ReachesTheAgainRetryAndEveryMappingState()
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        var rng = new Rng(TestSettings.FaultSeed);
        var ops = new List<ObjOp>();
        int againRetries = 0;
        var mappings = new HashSet<string>();
        for (int sequence = 0; sequence < 2_000; sequence++)
        {
            side.Reset();
            ops.Clear();
            ObjectGen.Sequence(ref rng, 40, ops);
            foreach (var op in ops)
            {
                var outcome = side.Apply(op);
                if (outcome.IsFatal)
                    break;
                if (
                    op is Flush { Obj: ObjectWorld.VnodeId } f
                    && (f.Flags & PgoFlags.SyncIo) == 0
                    && RetriedAWrite(side.LastSleeps)
                )
                    againRetries++;
            }
            foreach (var line in side.Observe())
            {
                if (line.StartsWith("  page ", StringComparison.Ordinal))
                    mappings.Add(
                        line.EndsWith(" mapped rw") ? "rw"
                        : line.EndsWith(" mapped r") ? "r"
                        : "none"
                    );
            }
        }
        Assert.True(againRetries > 0, "no uvn_flush write was retried after VM_PAGER_AGAIN");
        Assert.Equal(["none", "r", "rw"], mappings.Order());
    }

    /// <summary>Two consecutive pager writes at one offset: the retry after AGAIN (a write that succeeded moves the walk on).</summary>
    private static bool RetriedAWrite(string sleeps)
    {
        var points = sleeps.Split(", ");
        for (int i = 1; i < points.Length; i++)
        {
            if (points[i].StartsWith("io uvn_io ", StringComparison.Ordinal) && points[i] == points[i - 1])
                return true;
        }
        return false;
    }
}
