namespace UvmDiff.Harness.Core;

/// <summary>
/// Two sides of different architectures driven as one (the pmap layer with <c>--arch both</c>, the whole
/// kernel's amd64 and arm64 kernels): outcomes are
/// one outcome when they agree and both, named, when they do not; observations are both, each line
/// prefixed by its side's architecture.
/// </summary>
public sealed class ArchPairSide<TOp>(ISide<TOp> amd64, ISide<TOp> arm64) : ISide<TOp>
{
    public string Name { get; } = $"{amd64.Name}|{arm64.Name}";

    /// <summary>The amd64 half, for what is rendered per architecture (the kernel's snapshots).</summary>
    public ISide<TOp> Amd64 => amd64;

    public ISide<TOp> Arm64 => arm64;

    public long[] ProbeCounts
    {
        get
        {
            var a = amd64.ProbeCounts;
            var b = arm64.ProbeCounts;
            var sum = new long[Math.Max(a.Length, b.Length)];
            for (int i = 0; i < sum.Length; i++)
                sum[i] = (i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0);
            return sum;
        }
    }

    /// <summary>The amd64 half's: when the halves' outcomes differ, the pair's outcome names both.</summary>
    public string LastSleeps => amd64.LastSleeps;

    public void Reset()
    {
        amd64.Reset();
        arm64.Reset();
    }

    public Outcome Apply(TOp op)
    {
        var a = amd64.Apply(op);
        var b = arm64.Apply(op);
        if (a.IsFatal)
            return a with { Text = "amd64: " + a.Text };
        if (b.IsFatal)
            return b with { Text = "arm64: " + b.Text };
        if (a == b)
            return a;
        return Outcome.Of(a.Value * 31 + b.Value, $"amd64 {a}, arm64 {b}");
    }

    public string? CheckInvariants() => Prefix(amd64.CheckInvariants(), arm64.CheckInvariants());

    public string? CheckAllInvariants() => Prefix(amd64.CheckAllInvariants(), arm64.CheckAllInvariants());

    private static string? Prefix(string? a, string? b) =>
        a is not null ? "amd64: " + a
        : b is not null ? "arm64: " + b
        : null;

    public ulong Fingerprint() => amd64.Fingerprint() * 0x9e3779b97f4a7c15 + arm64.Fingerprint();

    public ulong FullFingerprint() => amd64.FullFingerprint() * 0x9e3779b97f4a7c15 + arm64.FullFingerprint();

    public IReadOnlyList<string> Observe()
    {
        var lines = new List<string>();
        foreach (var line in amd64.Observe())
            lines.Add("amd64 " + line);
        foreach (var line in arm64.Observe())
            lines.Add("arm64 " + line);
        return lines;
    }
}
