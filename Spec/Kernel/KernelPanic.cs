namespace UvmDiff.Spec.Kernel;

/// <summary>
/// A kernel assertion that fired, or an explicit panic(9). The runner turns it into the op's
/// <c>Panic(message)</c> outcome; the message is the kernel's own expression text.
/// </summary>
public sealed class KernelPanic(string message) : Exception(message);

/// <summary>
/// The simulation refused to go on: an operation slept or looped past a bound that no correct
/// kernel path reaches. The runner reports it as a <c>Hang(message)</c> outcome.
/// </summary>
public sealed class SimulationLimit(string message) : Exception(message);
