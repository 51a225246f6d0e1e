using System.Globalization;
using System.Text;
using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>One signature of a corpus: its shortest trace and how often and where it was first seen.</summary>
public sealed record CorpusEntry(
    string Path,
    string Layer,
    string Hash,
    string Signature,
    long Count,
    string FirstSeen,
    string Faults,
    int Length
);

/// <summary>
/// A directory of counterexamples, one trace file per signature (<c>&lt;layer&gt;-&lt;hash&gt;.trace</c>) holding the
/// shortest trace found for it, with a header giving the signature, the count, where it was first seen
/// and under which implementation faults. Findings are de-duplicated against what the directory already
/// holds; every write is atomic (a hidden temporary file renamed over the final name), so a campaign that
/// is killed leaves whole files only. Counts are written when a trace is, and by <see cref="Flush"/>.
/// => one campaign at a time writes to a directory
/// </summary>
public sealed class Corpus
{
    private const string SignatureKey = "# signature: ";
    private const string CountKey = "# count: ";
    private const string FirstSeenKey = "# first seen: ";
    private const string FaultsKey = "# implementation faults: ";

    private readonly object _lock = new();
    private readonly Dictionary<string, CorpusEntry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _countChanged = new(StringComparer.Ordinal);

    public Corpus(string directory)
    {
        Directory = directory;
        foreach (var entry in Read(directory, removeTemporaries: true))
            _entries[entry.Signature] = entry;
    }

    public string Directory { get; }

    public IReadOnlyCollection<CorpusEntry> Entries
    {
        get
        {
            lock (_lock)
                return [.. _entries.Values];
        }
    }

    /// <summary>
    /// Take a finding in: a new signature gets a file, a shorter trace replaces the old one, any other
    /// finding only counts. => returns the entry and what happened to it: "new", "shorter" or "seen"
    /// </summary>
    public (CorpusEntry Entry, string What) Record<TOp>(
        ILayer<TOp> layer,
        Finding<TOp> finding,
        FaultSet faults,
        string command
    )
        where TOp : class
    {
        lock (_lock)
        {
            _entries.TryGetValue(finding.Signature, out var known);
            long count = (known?.Count ?? 0) + 1;
            var shrunk = finding.Shrunk;
            if (known is not null && (shrunk is null || shrunk.Ops.Length >= known.Length))
            {
                var counted = known with { Count = count };
                _entries[finding.Signature] = counted;
                _countChanged.Add(finding.Signature);
                return (counted, "seen");
            }
            var ops = shrunk?.Ops ?? finding.Original;
            var divergence = shrunk?.Divergence ?? finding.Divergence;
            string hash = Signatures.Hash(finding.Signature);
            string path = known?.Path ?? System.IO.Path.Combine(Directory, $"{layer.Name}-{hash}.trace");
            string firstSeen =
                known?.FirstSeen ?? $"seed {finding.SequenceSeed} (sequence {finding.Sequence}) by {command}";
            var comments = new List<string>
            {
                SignatureKey[2..] + finding.Signature,
                CountKey[2..] + count.ToString(CultureInfo.InvariantCulture),
                FirstSeenKey[2..] + firstSeen,
                FaultsKey[2..] + faults,
                ShrinkNote(finding),
                divergence.Report(),
            };
            TraceFile.WriteReplacing(path, TraceFile.Format(layer.Name, ops, comments));
            var entry = new CorpusEntry(
                path,
                layer.Name,
                hash,
                finding.Signature,
                count,
                firstSeen,
                faults.ToString(),
                ops.Length
            );
            _entries[finding.Signature] = entry;
            _countChanged.Remove(finding.Signature);
            return (entry, known is null ? "new" : "shorter");
        }
    }

    /// <summary>Write the counts that changed since their trace was last written.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            foreach (string signature in _countChanged)
            {
                var entry = _entries[signature];
                var lines = File.ReadAllLines(entry.Path);
                for (int i = 0; i < lines.Length; i++)
                {
                    if (lines[i].StartsWith(CountKey, StringComparison.Ordinal))
                        lines[i] = CountKey + entry.Count.ToString(CultureInfo.InvariantCulture);
                }
                TraceFile.WriteReplacing(entry.Path, string.Join('\n', lines) + "\n");
            }
            _countChanged.Clear();
        }
    }

    /// <summary>
    /// The entries of a corpus directory, from the headers of its trace files.
    /// => <paramref name="removeTemporaries"/>: delete what a killed writer left behind
    /// => files that are not corpus traces are skipped
    /// </summary>
    public static IReadOnlyList<CorpusEntry> Read(string directory, bool removeTemporaries = false)
    {
        var entries = new List<CorpusEntry>();
        if (!System.IO.Directory.Exists(directory))
            return entries;
        foreach (var path in System.IO.Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileName(path);
            if (TraceFile.IsTemporary(name))
            {
                if (removeTemporaries)
                    File.Delete(path);
                continue;
            }
            if (name.EndsWith(".trace", StringComparison.Ordinal) && Parse(path) is { } entry)
                entries.Add(entry);
        }
        return entries;
    }

    private static CorpusEntry? Parse(string path)
    {
        string? layer = null,
            signature = null,
            firstSeen = null,
            faults = null;
        long count = 0;
        int ops = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("# layer: ", StringComparison.Ordinal))
                layer = line["# layer: ".Length..].Trim();
            else if (line.StartsWith(SignatureKey, StringComparison.Ordinal))
                signature = line[SignatureKey.Length..];
            else if (line.StartsWith(CountKey, StringComparison.Ordinal))
                long.TryParse(line[CountKey.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out count);
            else if (line.StartsWith(FirstSeenKey, StringComparison.Ordinal))
                firstSeen = line[FirstSeenKey.Length..];
            else if (line.StartsWith(FaultsKey, StringComparison.Ordinal))
                faults = line[FaultsKey.Length..];
            else if (line.Length > 0 && !line.StartsWith('#'))
                ops++;
        }
        if (layer is null || signature is null)
            return null;
        return new CorpusEntry(
            path,
            layer,
            Signatures.Hash(signature),
            signature,
            count,
            firstSeen ?? "",
            faults ?? "none",
            ops
        );
    }

    private static string ShrinkNote<TOp>(Finding<TOp> finding)
    {
        var shrunk = finding.Shrunk;
        if (shrunk is null)
            return $"not shrunk ({finding.Original.Length} ops)";
        var sb = new StringBuilder(
            $"shrunk from {finding.Original.Length} to {shrunk.Ops.Length} ops in {shrunk.Runs:N0} runs, {shrunk.Time.TotalSeconds:0.0} s"
        );
        if (shrunk.CutShort is not null)
            sb.Append($"; cut short by {shrunk.CutShort}");
        return sb.ToString();
    }
}
