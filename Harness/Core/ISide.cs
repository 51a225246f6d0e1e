using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>
/// One machine under test for one layer: the reference, or an implementation. A worker creates each
/// side once and resets it between sequences; the runner drives every side with the same ops and
/// compares what it sees.
/// </summary>
public interface ISide<in TOp>
{
    string Name { get; }

    /// <summary>Back to the layer's initial world, reusing the memory of the last sequence.</summary>
    void Reset();

    /// <summary>Apply the op; kernel panics and simulation limits become the outcome, never exceptions.</summary>
    Outcome Apply(TOp op);

    /// <summary>The sleep points of the last <see cref="Apply"/> as text, "" when it took none.</summary>
    string LastSleeps { get; }

    /// <summary>The invariants the last op can have broken, in time proportional to what it changed.</summary>
    string? CheckInvariants();

    /// <summary>Every invariant of the layer: null, or the first violation in one line.</summary>
    string? CheckAllInvariants();

    /// <summary>A hash of exactly what <see cref="Observe"/> renders, kept up to date as the machine changes.</summary>
    ulong Fingerprint();

    /// <summary>The same hash computed by walking everything observed: equals <see cref="Fingerprint"/>.</summary>
    ulong FullFingerprint();

    /// <summary>The observation as canonical text lines.</summary>
    IReadOnlyList<string> Observe();

    /// <summary>How often each probe of <see cref="ILayer{TOp}.Probes"/> was reached, by index.</summary>
    long[] ProbeCounts { get; }
}

/// <summary>
/// A layer of the kernel: its op vocabulary, its reference and implementations, how to generate and
/// shrink op sequences, and the names campaigns report by. Implementing this is all a layer does to get
/// the runner, multi-core campaigns, shards, the corpus, traces, replay and FsCheck properties.
/// </summary>
public interface ILayer<TOp>
    where TOp : class
{
    /// <summary>The name traces and the command line use: objects, map, pmap, ...</summary>
    string Name { get; }

    ISide<TOp> CreateReference();

    /// <summary>The implementations of this layer, each built with <paramref name="faults"/>.</summary>
    IReadOnlyList<ISide<TOp>> CreateImplementations(FaultSet faults);

    /// <summary>Parse one trace line (the op's ToString syntax); throws <see cref="FormatException"/>.</summary>
    TOp Parse(string line);

    /// <summary>Names of the op kinds, for the op-kind mix a campaign reports.</summary>
    IReadOnlyList<string> OpKinds { get; }

    int KindOf(TOp op);

    /// <summary>Names of the probes the implementations count (branches the faults change, at least).</summary>
    IReadOnlyList<string> Probes { get; }

    /// <summary>Append one random sequence of 1 to <paramref name="maxOps"/> ops to <paramref name="into"/>.</summary>
    void Generate(ref Rng rng, int maxOps, List<TOp> into);

    /// <summary>Smaller sequences to try in place of a failing one, most promising first.</summary>
    IEnumerable<TOp[]> Shrink(TOp[] ops);

    /// <summary>
    /// The faults its implementations can be built with: a layer's own; the whole kernel composes every
    /// layer's implementations, so it takes the whole catalog.
    /// </summary>
    IEnumerable<Fault> Faults => FaultCatalog.OfLayer(Name);

    /// <summary>
    /// => why this layer, as its options built it, can never show <paramref name="fault"/> (the pmap layer
    /// run for one architecture and a fault of the other), or null when it can
    /// </summary>
    string? Unreachable(Fault fault) => null;
}
