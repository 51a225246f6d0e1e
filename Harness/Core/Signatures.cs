using System.Text.RegularExpressions;
using UvmDiff.Spec.Kernel;

namespace UvmDiff.Harness.Core;

/// <summary>
/// What makes two divergences the same bug, as far as a corpus can tell: the layer, the kind of
/// divergence, the kind of op it happened in, and the first line that differs (the two outcomes, the
/// first differing observation lines, or the violated invariant), with every number replaced by '#' so
/// that offsets, counts and contents do not split one bug into many.
/// </summary>
public static partial class Signatures
{
    public static string Of<TOp>(ILayer<TOp> layer, IReadOnlyList<TOp> ops, Divergence divergence)
        where TOp : class
    {
        string opKind = layer.OpKinds[layer.KindOf(ops[divergence.Step - 1])];
        return $"{layer.Name} | {Normalise(divergence.Kind)} | {opKind} | {Normalise(FirstDifference(divergence))}";
    }

    /// <summary>Twelve hex digits naming a signature in file names and on the command line.</summary>
    public static string Hash(string signature) =>
        (FactHash.Mix((ulong)FactHash.OfText(signature)) >> 16).ToString("x12");

    public static string Normalise(string text) => Numbers().Replace(text, "#");

    private static string FirstDifference(Divergence d)
    {
        if (d.ReferenceOutcome is not null && d.ReferenceOutcome != d.ImplementationOutcome)
            return $"reference {d.ReferenceOutcome} / implementation {d.ImplementationOutcome}";
        string? removed = null,
            added = null;
        foreach (var line in d.Detail.Split('\n'))
        {
            if (line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("+++", StringComparison.Ordinal))
                continue;
            if (removed is null && line.StartsWith('-'))
                removed = line;
            else if (added is null && line.StartsWith('+'))
                added = line;
        }
        if (removed is not null && added is not null)
            return $"{removed} / {added} (first differing word after '{WordBeforeDifference(removed[1..], added[1..])}')";
        if (removed is not null || added is not null)
            return $"{removed} / {added}";
        int end = d.Detail.IndexOf('\n');
        return end < 0 ? d.Detail : d.Detail[..end];
    }

    /// <summary>The word before the first word that differs: the name of the field that differs, as observations print them.</summary>
    private static string WordBeforeDifference(string a, string b)
    {
        var x = a.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var y = b.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
                return i == 0 ? "" : x[i - 1];
        }
        return Math.Min(x.Length, y.Length) == 0 ? "" : x[Math.Min(x.Length, y.Length) - 1];
    }

    [GeneratedRegex(@"0x[0-9a-fA-F]+|\d+")]
    private static partial Regex Numbers();
}
