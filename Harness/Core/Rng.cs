using UvmDiff.Spec.Kernel;

namespace UvmDiff.Harness.Core;

/// <summary>
/// xoshiro256**: the random source of every generator. A struct seeded from one ulong, so a sequence is
/// a pure function of its seed and costs no allocation to draw.
/// </summary>
public struct Rng
{
    private ulong _s0,
        _s1,
        _s2,
        _s3;

    public Rng(ulong seed)
    {
        _s0 = FactHash.Mix(seed + 0x9e3779b97f4a7c15);
        _s1 = FactHash.Mix(seed + 0x3c6ef372fe94f82a);
        _s2 = FactHash.Mix(seed + 0xdaa66d2c7ddf743f);
        _s3 = FactHash.Mix(seed + 0x78dde6e5fd29f054);
    }

    public ulong Next()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="n"/>). => n &gt; 0</summary>
    public int Below(int n) => (int)((Next() >> 32) * (ulong)n >> 32);

    /// <summary>Uniform in [<paramref name="lo"/>, <paramref name="hiInclusive"/>].</summary>
    public int Between(int lo, int hiInclusive) => lo + Below(hiInclusive - lo + 1);

    public bool Chance(int percent) => Below(100) < percent;

    /// <summary>An index into <paramref name="weights"/>, each chosen in proportion to its weight.</summary>
    public int Weighted(ReadOnlySpan<int> weights)
    {
        int total = 0;
        foreach (int w in weights)
            total += w;
        int pick = Below(total);
        for (int i = 0; i < weights.Length; i++)
        {
            pick -= weights[i];
            if (pick < 0)
                return i;
        }
        return weights.Length - 1;
    }

    public T Pick<T>(ReadOnlySpan<T> items) => items[Below(items.Length)];
}
