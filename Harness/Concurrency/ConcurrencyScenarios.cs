using UvmDiff.Harness.Snapshots;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// The shipped programs as snapshot scenarios: what the reference allows for each of seed 002's review
/// questions, approved once, so that a change of the sequential meaning is a reviewed diff.
/// </summary>
public static class ConcurrencyScenarios
{
    public static readonly IReadOnlyList<Scenario<ConcurrentProgram>> All =
    [
        One(
            "TwoCpusCleanOnePage",
            "review question 1: two CPUs free the same aobj page and the same anon",
            ShippedPrograms.TwoCpusCleanOnePage
        ),
        One(
            "WiredCounterDrift",
            "review question 2: uvmexp.wired changed by a free, an unwire and a wire at once",
            ShippedPrograms.WiredCounterDrift
        ),
        One(
            "FaultBackBeforeFree",
            "review question 3: faults on the pages being freed",
            ShippedPrograms.FaultBackBeforeFree
        ),
        One("QueueChurn", "a free, the pagedaemon and a fault on both page queues", ShippedPrograms.QueueChurn),
    ];

    private static Scenario<ConcurrentProgram> One(string name, string description, ConcurrentProgram program) =>
        new(name, description, [new ScenarioPhase<ConcurrentProgram>("every sequential order", [program])]);
}
