namespace UvmDiff.Spec.Kernel;

/// <summary>
/// Fingerprints as multiset hashes: an observation is a set of facts (a page with its fields, a swap
/// slot, a queue link, a map entry), each fact hashes to 64 well-mixed bits, and the fingerprint is
/// the wrapping sum of the facts' hashes. A machine keeps the sum up to date as it changes (subtract
/// a fact's old hash, add its new one), so no step needs to walk everything; a full walk adds the same
/// hashes and must give the same sum. Order is not part of a sum, so a fact that depends on order
/// must say so itself (a queue link names the page before it).
/// </summary>
public static class FactHash
{
    private const ulong Seed = 0x9e3779b97f4a7c15;

    /// <summary>The hash of a fact made of a kind tag and up to five fields.</summary>
    public static ulong Of(long kind, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0)
    {
        ulong h = Mix(Seed ^ (ulong)kind);
        h = Mix(h ^ (ulong)a);
        h = Mix(h ^ (ulong)b);
        h = Mix(h ^ (ulong)c);
        h = Mix(h ^ (ulong)d);
        return Mix(h ^ (ulong)e);
    }

    /// <summary>The hash of a string field (names, errno texts), for folding into <see cref="Of"/>.</summary>
    public static long OfText(string text)
    {
        ulong h = Seed;
        foreach (char ch in text)
            h = Mix(h ^ ch);
        return (long)h;
    }

    /// <summary>splitmix64's finaliser: every input bit reaches every output bit.</summary>
    public static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
        x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
        return x ^ (x >> 31);
    }
}
