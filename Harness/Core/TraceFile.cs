using System.Text;

namespace UvmDiff.Harness.Core;

/// <summary>A trace file that cannot be read: the message is "file:line: reason".</summary>
public sealed class TraceFormatException(string message) : Exception(message);

/// <summary>
/// Traces: one op per line in replay syntax, '#' comments, and a "# layer: NAME" header. They do not
/// depend on a generator or a seed, so they replay across versions.
/// </summary>
public static class TraceFile
{
    public const string Magic = "# uvmdiff trace v1";

    public static string Format<TOp>(string layer, IEnumerable<TOp> ops, IEnumerable<string> comments)
    {
        var sb = new StringBuilder();
        sb.Append(Magic).Append('\n');
        sb.Append("# layer: ").Append(layer).Append('\n');
        foreach (var comment in comments)
        {
            foreach (var line in comment.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                sb.Append("# ").Append(line).Append('\n');
        }
        foreach (var op in ops)
            sb.Append(op).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// Write <paramref name="text"/> to a new file in <paramref name="directory"/>, atomically: it is
    /// written beside its final name and renamed, and an existing file is never replaced.
    /// </summary>
    public static string WriteNew(string directory, string baseName, string text)
    {
        Directory.CreateDirectory(directory);
        string temp = WriteTemp(directory, baseName, text);
        for (int n = 0; ; n++)
        {
            string path = Path.Combine(directory, n == 0 ? $"{baseName}.trace" : $"{baseName}-{n}.trace");
            try
            {
                File.Move(temp, path, overwrite: false);
                return path;
            }
            catch (IOException) when (File.Exists(path) && n < 1000) { }
        }
    }

    /// <summary>Write <paramref name="text"/> over <paramref name="path"/> atomically: readers see the old file or the new one.</summary>
    public static void WriteReplacing(string path, string text)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        File.Move(WriteTemp(directory, Path.GetFileNameWithoutExtension(path), text), path, overwrite: true);
    }

    /// <summary>Temporary files are hidden and end in .tmp; what a killed writer leaves is recognisable as such.</summary>
    public static bool IsTemporary(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>
    /// Write a hidden temporary file beside the final name. UVMDIFF_SLOW_WRITES=ms pauses halfway through
    /// the write, so that a test can kill a writer in the middle of one.
    /// </summary>
    private static string WriteTemp(string directory, string baseName, string text)
    {
        string temp = Path.Combine(directory, $".{baseName}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            int half = bytes.Length / 2;
            stream.Write(bytes, 0, half);
            stream.Flush();
            if (int.TryParse(Environment.GetEnvironmentVariable("UVMDIFF_SLOW_WRITES"), out int pause) && pause > 0)
                Thread.Sleep(pause);
            stream.Write(bytes, half, bytes.Length - half);
        }
        return temp;
    }

    /// <summary>The layer named by a trace's "# layer:" header, or null when it has none.</summary>
    public static string? LayerName(string path)
    {
        const string header = "# layer:";
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(header, StringComparison.Ordinal))
                return line[header.Length..].Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
                return null;
        }
        return null;
    }

    /// <summary>Parse a trace. => throws <see cref="TraceFormatException"/> naming file:line and the reason</summary>
    public static List<TOp> Read<TOp>(ILayer<TOp> layer, string path)
        where TOp : class
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException($"{path}: cannot read: {e.Message}");
        }
        return Parse(layer, path, lines);
    }

    public static List<TOp> Parse<TOp>(ILayer<TOp> layer, string name, IReadOnlyList<string> lines)
        where TOp : class
    {
        var ops = new List<TOp>();
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                const string header = "# layer:";
                if (line.StartsWith(header, StringComparison.Ordinal) && line[header.Length..].Trim() != layer.Name)
                    throw new TraceFormatException(
                        $"{name}:{i + 1}: trace is for layer '{line[header.Length..].Trim()}', not '{layer.Name}'"
                    );
                continue;
            }
            try
            {
                ops.Add(layer.Parse(line));
            }
            catch (FormatException e)
            {
                throw new TraceFormatException($"{name}:{i + 1}: {e.Message}");
            }
        }
        if (ops.Count == 0)
            throw new TraceFormatException($"{name}: no operations in trace");
        return ops;
    }
}
