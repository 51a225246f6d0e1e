namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// The oracle: the results a program may have, computed once per program (schedules do not change them)
/// and kept for the programs seen last.
/// </summary>
public sealed class Linearizability
{
    private const int CacheLimit = 4096;

    private readonly Dictionary<string, Allowed> _cache = [];

    /// <summary>The distinct sequential results of a program, and their keys for membership.</summary>
    public sealed record Allowed(
        IReadOnlyList<SequentialResult> Results,
        HashSet<string> Keys,
        IReadOnlyList<string> Lines,
        ulong Hash
    );

    public Allowed For(ConcurrentProgram program)
    {
        string calls = program.Calls();
        if (_cache.TryGetValue(calls, out var allowed))
            return allowed;
        if (_cache.Count >= CacheLimit)
            _cache.Clear();
        var results = SequentialOrders.All(program);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var lines = new List<string> { $"{results.Count} allowed result(s) of {calls}" };
        foreach (var result in results)
        {
            keys.Add(result.Key);
            lines.Add($"order {result.Order}: {result.Results}");
            foreach (var line in result.World)
                lines.Add("  " + line);
            if (result.Broken is not null)
                lines.Add("  broken: " + result.Broken);
        }
        ulong hash = 14695981039346656037UL;
        foreach (var line in lines)
        {
            foreach (char c in line)
                hash = (hash ^ c) * 1099511628211UL;
            hash = (hash ^ '\n') * 1099511628211UL;
        }
        allowed = new Allowed(results, keys, lines, hash);
        _cache[calls] = allowed;
        return allowed;
    }
}
