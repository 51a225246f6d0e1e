namespace UvmDiff.Harness.Core;

/// <summary>
/// One machine under test for one layer: the reference, or an implementation. The runner drives
/// every side with the same ops and compares what it sees.
/// </summary>
public interface ISide<in TOp>
{
    string Name { get; }

    /// <summary>Apply the op; kernel panics and simulation limits become the outcome, never exceptions.</summary>
    Outcome Apply(TOp op);

    /// <summary>Every invariant of the layer at a quiescent point: null, or the first violation.</summary>
    string? CheckInvariants();

    /// <summary>A hash of exactly what <see cref="Observe"/> renders, cheap enough for every step.</summary>
    ulong Fingerprint();

    /// <summary>The observation as canonical text lines.</summary>
    IReadOnlyList<string> Observe();
}

/// <summary>A layer of the kernel: its op vocabulary, its reference and its implementations.</summary>
public interface ILayer<TOp>
    where TOp : class
{
    string Name { get; }

    ISide<TOp> CreateReference();

    /// <summary>The implementations of this layer, each built with <paramref name="faults"/>.</summary>
    IReadOnlyList<ISide<TOp>> CreateImplementations(Implementations.FaultSet faults);

    /// <summary>Parse one trace line (the op's ToString syntax); throws <see cref="FormatException"/>.</summary>
    TOp Parse(string line);
}
