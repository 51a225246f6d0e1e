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

    /// <summary>
    /// The hash of a fact made of a kind tag and one to five fields: one mix per field, so a fact of few
    /// fields costs what it has (a kind's facts always have the same number of fields).
    /// </summary>
    public static ulong Of(long kind, long a) => Mix(Mix(Seed ^ (ulong)kind) ^ (ulong)a);

    public static ulong Of(long kind, long a, long b) => Mix(Of(kind, a) ^ (ulong)b);

    public static ulong Of(long kind, long a, long b, long c) => Mix(Of(kind, a, b) ^ (ulong)c);

    public static ulong Of(long kind, long a, long b, long c, long d) => Mix(Of(kind, a, b, c) ^ (ulong)d);

    public static ulong Of(long kind, long a, long b, long c, long d, long e) => Mix(Of(kind, a, b, c, d) ^ (ulong)e);

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
