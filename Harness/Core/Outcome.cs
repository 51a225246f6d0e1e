namespace UvmDiff.Harness.Core;

/// <summary>
/// What one operation returned on one side, and the sleeps it took on the way: <c>Ok</c>,
/// <c>Ok(value)</c>, an errno name, <c>Panic(assertion)</c> or <c>Hang(reason)</c>.
/// Two sides agree on a step only if both the result and the sleeps are equal.
/// </summary>
public sealed record Outcome(string Result, string Sleeps)
{
    public const string OkText = "Ok";

    public bool IsFatal =>
        Result.StartsWith("Panic(", StringComparison.Ordinal) || Result.StartsWith("Hang(", StringComparison.Ordinal);

    public override string ToString() => Sleeps.Length == 0 ? Result : $"{Result} after sleeps [{Sleeps}]";
}
