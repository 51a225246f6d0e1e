using UvmDiff.Harness.Core;
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
    /// => no name: list every scenario of every layer as DIR/Name with its description
    /// => a name (Name or DIR/Name, case-insensitive): print its rendering, as the snapshot test sees it
    /// => an unknown or ambiguous name is a UsageException
    /// </summary>
    public static int Scenario(string? name)
    {
        var all = Layers
            .SnapshotSuites.SelectMany(suite => suite.Cases.Select(c => (Key: $"{suite.Directory}/{c.Name}", Case: c)))
            .ToList();
        if (name is null)
        {
            int width = all.Max(s => s.Key.Length);
            foreach (var (key, snapshot) in all)
                Console.WriteLine($"{key.PadRight(width)}  {snapshot.Description}");
            return UvmDiffCommand.ExitOk;
        }
        var found = all.Where(s =>
                string.Equals(s.Key, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(s.Case.Name, name, StringComparison.OrdinalIgnoreCase)
            )
            .ToList();
        if (found.Count == 0)
            throw new UsageException($"unknown scenario '{name}' (see 'uvmdiff scenario')");
        if (found.Count > 1)
            throw new UsageException(
                $"scenario '{name}' is in several directories: {string.Join(", ", found.Select(f => f.Key))}"
            );
        Console.Write(found[0].Case.Render());
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
