using System.Text;
using UvmDiff.Harness.Core;

namespace UvmDiff.Harness.Snapshots;

/// <summary>How a rendering compares with its approved text.</summary>
public enum SnapshotStatus
{
    Match,

    /// <summary>The verified file exists and says something else.</summary>
    Mismatch,

    /// <summary>There is no verified file yet: nothing was ever approved for this name.</summary>
    Missing,
}

/// <summary>
/// The verdict of <see cref="SnapshotStore.Check"/>. <see cref="Diff"/> is the unified diff from the
/// verified text to the received one (empty on a match); <see cref="ReceivedPath"/> is set only when
/// the received file was written.
/// </summary>
public sealed record SnapshotResult(string Name, SnapshotStatus Status, string Diff, string? ReceivedPath)
{
    public bool IsMatch => Status == SnapshotStatus.Match;

    /// <summary>The failure message a test shows: what is wrong, where the received text went, then the diff.</summary>
    public string Message()
    {
        if (IsMatch)
            return $"{Name}: matches {SnapshotStore.VerifiedFileName(Name)}";
        var sb = new StringBuilder();
        sb.Append(Name)
            .Append(": ")
            .Append(
                Status == SnapshotStatus.Missing
                    ? $"no {SnapshotStore.VerifiedFileName(Name)} yet"
                    : $"the rendering differs from {SnapshotStore.VerifiedFileName(Name)}"
            )
            .Append('\n');
        sb.Append(
                ReceivedPath is null
                    ? "no received file written (CI never writes one)"
                    : $"received text written to {ReceivedPath}; approve it with 'uvmdiff approve {Path.GetDirectoryName(ReceivedPath)} {Name}'"
            )
            .Append('\n');
        sb.Append(Diff);
        return sb.ToString();
    }
}

/// <summary>
/// Approved renderings on disk, with the Verify library's file conventions so that moving to Verify
/// later changes no file: <c>&lt;dir&gt;/&lt;Name&gt;.verified.txt</c> is the approved text and
/// <c>&lt;Name&gt;.received.txt</c> beside it is the latest rendering that did not match. Both are
/// UTF-8 without BOM, LF line endings, ending in exactly one newline. Verified files change only
/// through <see cref="Approve"/>, so a test run can never approve itself.
/// </summary>
public static class SnapshotStore
{
    public const string VerifiedSuffix = ".verified.txt";
    public const string ReceivedSuffix = ".received.txt";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Whether a mismatch should leave a received file: not on a build server (CI set), where nobody
    /// approves and a stray file would only dirty the checkout.
    /// </summary>
    public static bool WriteReceivedByDefault => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string VerifiedFileName(string name) => name + VerifiedSuffix;

    public static string ReceivedFileName(string name) => name + ReceivedSuffix;

    public static string VerifiedPath(string directory, string name) =>
        Path.Combine(directory, VerifiedFileName(CheckName(name)));

    public static string ReceivedPath(string directory, string name) =>
        Path.Combine(directory, ReceivedFileName(CheckName(name)));

    /// <summary>
    /// The canonical form of a snapshot text: no BOM, LF line endings, exactly one final newline.
    /// Applied to both sides before comparing, so a CRLF checkout still matches.
    /// </summary>
    public static string Normalize(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
            text = text[1..];
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.TrimEnd('\n') + "\n";
    }

    /// <summary>
    /// Compare <paramref name="receivedText"/> with the verified text of <paramref name="name"/>.
    /// => a match deletes a stale received file and touches nothing else
    /// => a mismatch or a missing verified file gives the unified diff from verified to received, and
    ///    with <paramref name="writeReceived"/> writes the received file atomically (temp file + rename);
    ///    without it any stale received file is deleted, so a received file on disk is always the
    ///    latest rendering and approving it never installs an outdated one
    /// => never writes the verified file
    /// </summary>
    public static SnapshotResult Check(string directory, string name, string receivedText, bool writeReceived)
    {
        string verifiedPath = VerifiedPath(directory, name);
        string receivedPath = ReceivedPath(directory, name);
        string received = Normalize(receivedText);
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath, Encoding.UTF8)) : null;

        if (verified == received)
        {
            DeleteIfPresent(receivedPath);
            return new SnapshotResult(name, SnapshotStatus.Match, "", null);
        }

        string diff = UnifiedDiff.Create(verified ?? "", received, VerifiedFileName(name), ReceivedFileName(name));
        var status = verified is null ? SnapshotStatus.Missing : SnapshotStatus.Mismatch;
        if (!writeReceived)
        {
            DeleteIfPresent(receivedPath);
            return new SnapshotResult(name, status, diff, null);
        }
        WriteAtomically(directory, receivedPath, received);
        return new SnapshotResult(name, status, diff, receivedPath);
    }

    /// <summary>
    /// Move received files over their verified files: the one for <paramref name="name"/>, or every
    /// received file in <paramref name="directory"/> when it is null.
    /// => each move is one rename that replaces the verified file, so a reader sees the old or the new
    ///    text, never a partial one
    /// => returns the names approved, in ordinal order; empty when there was nothing to approve
    /// => throws DirectoryNotFoundException when the directory does not exist
    /// </summary>
    public static IReadOnlyList<string> Approve(string directory, string? name = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: no such directory");
        var names = new List<string>();
        if (name is not null)
        {
            if (File.Exists(ReceivedPath(directory, name)))
                names.Add(name);
        }
        else
        {
            foreach (string path in Directory.GetFiles(directory, "*" + ReceivedSuffix))
            {
                string file = Path.GetFileName(path);
                if (!file.StartsWith('.'))
                    names.Add(file[..^ReceivedSuffix.Length]);
            }
            names.Sort(StringComparer.Ordinal);
        }
        foreach (string approved in names)
            File.Move(ReceivedPath(directory, approved), VerifiedPath(directory, approved), overwrite: true);
        return names;
    }

    /// <summary>
    /// Write beside the final name and rename over it: an interrupted run leaves the old file or the
    /// new one, never a truncated one that a later approve would install.
    /// </summary>
    private static void WriteAtomically(string directory, string path, string text)
    {
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temp, text, Utf8NoBom);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
    }

    /// <summary>A snapshot name is one file-name stem: no directory parts, nothing the suffixes would confuse.</summary>
    private static string CheckName(string name)
    {
        if (
            name.Length == 0
            || name.StartsWith('.')
            || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            || name.Contains('/')
            || name.Contains('\\')
        )
            throw new ArgumentException($"'{name}' is not a snapshot name (a file name without directory parts)");
        return name;
    }
}
