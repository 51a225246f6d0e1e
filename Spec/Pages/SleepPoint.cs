using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// Where a routine gave up its locks: a pagewait on a busy page, pager I/O in flight, or (with
/// <paramref name="AllIo"/>) a wait for every I/O in flight on the object.
/// </summary>
public readonly record struct SleepPoint(string Wmesg, UvmObject Object, long Offset, bool IsIo, bool AllIo = false)
{
    public override string ToString() => $"{Wmesg}@{Object.Id}:0x{Offset:x}";
}

/// <summary>What the other threads did while a routine slept.</summary>
public enum WakeResult
{
    Normal,

    /// <summary>The pager I/O the routine slept on failed (only meaningful for I/O sleeps).</summary>
    IoError,

    /// <summary>The pager write the routine slept on returned VM_PAGER_AGAIN (only meaningful for writes).</summary>
    Again,
}

/// <summary>
/// The runner's hand on every sleep: it performs the interference another thread does during the
/// routine's i-th sleep, then lets the routine go on.
/// </summary>
public interface ISleepHook
{
    WakeResult Slept(Uvm uvm, SleepPoint point);
}
