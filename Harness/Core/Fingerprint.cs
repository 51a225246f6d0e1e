namespace UvmDiff.Harness.Core;

/// <summary>A 64-bit running hash over longs and strings: order-sensitive, allocation-free.</summary>
public struct Fingerprint
{
    private const ulong Prime = 0x100000001b3;
    private ulong _hash;

    public Fingerprint() => _hash = 0xcbf29ce484222325;

    public readonly ulong Value => _hash;

    public void Add(long value)
    {
        ulong h = (_hash ^ (ulong)value) * Prime;
        _hash = h ^ (h >> 29);
    }

    public void Add(string text)
    {
        foreach (char c in text)
            Add(c);
    }
}
