namespace UvmDiff.Harness.Core;

public enum OutcomeKind : byte
{
    Ok,
    Value,
    Errno,
    Panic,
    Hang,
}

/// <summary>
/// What one operation returned on one side: <c>Ok</c>, <c>Ok(value)</c>, an errno name,
/// <c>Panic(assertion)</c> or <c>Hang(reason)</c>, and a hash of the sleep points it passed through
/// (0 for none; the side describes them in text on demand). Two sides agree on a step only if the
/// result and the sleeps are equal. A value type built from constants on the fast path: comparing two
/// costs no allocation.
/// </summary>
public readonly record struct Outcome(OutcomeKind Kind, long Value, string? Text, ulong Sleeps)
{
    public static readonly Outcome Ok = new(OutcomeKind.Ok, 0, null, 0);

    /// <summary><c>Ok(value)</c>, printed as <paramref name="rendering"/> when given.</summary>
    public static Outcome Of(long value, string? rendering = null) => new(OutcomeKind.Value, value, rendering, 0);

    /// <summary><c>Ok(page N)</c> for each of <paramref name="pages"/> physical pages, built once: an access returns one without formatting.</summary>
    public static Outcome[] PageOutcomes(int pages)
    {
        var outcomes = new Outcome[pages];
        for (int page = 0; page < pages; page++)
            outcomes[page] = Of(page, $"page {page}");
        return outcomes;
    }

    public static Outcome Errno(string name) => new(OutcomeKind.Errno, 0, name, 0);

    public static Outcome Panic(string message) => new(OutcomeKind.Panic, 0, message, 0);

    public static Outcome Hang(string reason) => new(OutcomeKind.Hang, 0, reason, 0);

    /// <summary><see cref="Ok"/> for null, else the errno: the convention of the stand-in ops.</summary>
    public static Outcome Status(string? errno) => errno is null ? Ok : Errno(errno);

    public Outcome WithSleeps(ulong sleeps) => this with { Sleeps = sleeps };

    /// <summary>A panic or a hang: the machine cannot go on, so the sequence ends there.</summary>
    public bool IsFatal => Kind is OutcomeKind.Panic or OutcomeKind.Hang;

    /// <summary>The result alone, as replay output and counterexamples print it.</summary>
    public override string ToString() =>
        Kind switch
        {
            OutcomeKind.Ok => "Ok",
            OutcomeKind.Value => $"Ok({Text ?? Value.ToString()})",
            OutcomeKind.Errno => Text!,
            OutcomeKind.Panic => $"Panic({Text})",
            _ => $"Hang({Text})",
        };

    /// <summary>The result with the sleeps <paramref name="side"/> took for it.</summary>
    public string Describe<TOp>(ISide<TOp> side) =>
        Sleeps == 0 ? ToString() : $"{this} after sleeps [{side.LastSleeps}]";
}
