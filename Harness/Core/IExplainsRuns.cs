using UvmDiff.Implementations;

namespace UvmDiff.Harness.Core;

/// <summary>A layer whose ops are worth showing step by step on replay (the concurrency layer's interleavings).</summary>
public interface IExplainsRuns<in TOp>
{
    /// <summary>How the implementations built with <paramref name="faults"/> ran <paramref name="op"/>, step by step.</summary>
    string Explain(TOp op, FaultSet faults);
}
