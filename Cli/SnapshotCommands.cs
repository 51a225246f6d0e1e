using UvmDiff.Harness.Objects;
using UvmDiff.Harness.Snapshots;

namespace UvmDiff.Cli;

/// <summary>
/// uvmdiff scenario and uvmdiff approve: look at a scenario's rendering before approving it, and
/// approve received snapshots without moving files by hand (verified files change only this way).
/// </summary>
public static class SnapshotCommands
{
    /// <summary>
    /// uvmdiff scenario [NAME].
    /// => no name: list every scenario with its description
    /// => a name (case-insensitive): print its rendering on the reference, as the snapshot test sees it
    /// => an unknown name is a UsageException
    /// </summary>
    public static int Scenario(string? name)
    {
        if (name is null)
        {
            int width = 0;
            foreach (var scenario in ObjectScenarios.All)
                width = Math.Max(width, scenario.Name.Length);
            foreach (var scenario in ObjectScenarios.All)
                Console.WriteLine($"{scenario.Name.PadRight(width)}  {scenario.Description}");
            return UvmDiffCommand.ExitOk;
        }
        var found =
            ObjectScenarios.Find(name)
            ?? throw new UsageException($"unknown scenario '{name}' (see 'uvmdiff scenario')");
        Console.Write(ObjectScenarios.Render(ObjectLayer.Instance.CreateReference(), found));
        return UvmDiffCommand.ExitOk;
    }

    /// <summary>
    /// uvmdiff approve DIR [NAME]: move received snapshots over verified ones, one or all.
    /// => prints each verified file replaced, or "nothing to approve"
    /// => a missing directory or a name with directory parts is a UsageException
    /// </summary>
    public static int Approve(string directory, string? name)
    {
        if (!Directory.Exists(directory))
            throw new UsageException($"{directory}: no such directory");
        IReadOnlyList<string> approved;
        try
        {
            approved = SnapshotStore.Approve(directory, name);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        if (approved.Count == 0)
        {
            Console.WriteLine("nothing to approve");
            return UvmDiffCommand.ExitOk;
        }
        foreach (string approvedName in approved)
            Console.WriteLine($"approved {SnapshotStore.VerifiedPath(directory, approvedName)}");
        return UvmDiffCommand.ExitOk;
    }
}
