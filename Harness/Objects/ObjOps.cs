using System.Text;
using UvmDiff.Spec.Objects;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// An operation on the object/page layer: data only. ToString prints replay syntax and
/// <see cref="ObjOpParser"/> reads it back. Offsets are bytes, printed in hex.
/// </summary>
public abstract record ObjOp
{
    protected static string Hex(long value) => "0x" + value.ToString("x");

    protected static string Hex(ulong value) => "0x" + value.ToString("x");
}

/// <summary>An op on one page of one object, printed as <c>Name(obj: N, off: 0x...)</c>.</summary>
public abstract record PageOp(int Obj, long Off) : ObjOp
{
    public sealed override string ToString() => $"{GetType().Name}(obj: {Obj}, off: {Hex(Off)}{ExtraArguments})";

    /// <summary>Arguments beyond obj and off, printed only when they differ from their defaults.</summary>
    protected virtual string ExtraArguments => "";
}

/// <summary>A fault brings the page in (from swap or the file, or zero-filled). fail: the swap read fails.</summary>
public sealed record Alloc(int Obj, long Off, bool Fail = false) : PageOp(Obj, Off)
{
    protected override string ExtraArguments => Fail ? ", fail: true" : "";
}

/// <summary>Another thread starts I/O on the page.</summary>
public sealed record Busy(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>Another thread's I/O on the page completes.</summary>
public sealed record Unbusy(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>A write through a mapping dirties the page.</summary>
public sealed record Dirty(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>The pagedaemon deactivates the page.</summary>
public sealed record Deactivate(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>The pagedaemon swaps an aobj page out.</summary>
public sealed record PageOut(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>Another thread frees the page.</summary>
public sealed record FreePage(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>uvm_pagelookup: returns the page's flags, or none.</summary>
public sealed record Lookup(int Obj, long Off) : PageOp(Obj, Off);

/// <summary>uvm_obj_wire over [start, stop).</summary>
public sealed record Wire(int Obj, long Start, long Stop) : ObjOp
{
    public override string ToString() => $"Wire(obj: {Obj}, start: {Hex(Start)}, stop: {Hex(Stop)})";
}

/// <summary>uvm_obj_unwire over [start, stop).</summary>
public sealed record Unwire(int Obj, long Start, long Stop) : ObjOp
{
    public override string ToString() => $"Unwire(obj: {Obj}, start: {Hex(Start)}, stop: {Hex(Stop)})";
}

/// <summary>pgo_flush: uao_flush for an aobj, uvn_flush for a vnode.</summary>
public sealed record Flush(int Obj, long Start, long Stop, PgoFlags Flags, Interference Interference) : ObjOp
{
    public override string ToString() =>
        $"Flush(obj: {Obj}, start: {Hex(Start)}, stop: {Hex(Stop)}, flags: {FormatFlags(Flags)}{Interference.Suffix()})";

    public static string FormatFlags(PgoFlags flags) =>
        flags == PgoFlags.None ? "None" : flags.ToString().Replace(", ", "|");
}

/// <summary>uvm_km_pgremove on the kernel object over kernel virtual addresses [sva, eva).</summary>
public sealed record KmPgremove(ulong Sva, ulong Eva, Interference Interference) : ObjOp
{
    public override string ToString() => $"KmPgremove(sva: {Hex(Sva)}, eva: {Hex(Eva)}{Interference.Suffix()})";
}

/// <summary>
/// Another reference to the object (uao_reference / vref). uao_reference returns at once for the kernel
/// object (UVM_OBJ_IS_KERN_OBJECT: its uo_refs is UVM_OBJ_KERN, never counted), so Ref(obj: 3) changes nothing.
/// </summary>
public sealed record Ref(int Obj) : ObjOp
{
    public override string ToString() => $"Ref(obj: {Obj})";
}

/// <summary>Drop a reference that is not the last (EINVAL for the last). uao_detach ignores the kernel object.</summary>
public sealed record Unref(int Obj) : ObjOp
{
    public override string ToString() => $"Unref(obj: {Obj})";
}

public enum ActKind
{
    Free,
    Insert,
    Busy,
    Unbusy,
    Dirty,
    IoError,
    Again,
}

/// <summary>
/// One thing another thread does during a sleep, on the sleeping routine's object.
/// <see cref="Here"/> as the offset means the page the routine sleeps on.
/// </summary>
public readonly record struct Act(ActKind Kind, long Off)
{
    public const long Here = -1;

    /// <summary>IoError and Again act on the pager I/O slept on, not on a page.</summary>
    public bool HasOffset => Kind is not (ActKind.IoError or ActKind.Again);

    public override string ToString() =>
        HasOffset ? $"{Kind}({(Off == Here ? "here" : "0x" + Off.ToString("x"))})" : Kind.ToString();
}

/// <summary>
/// What other threads do during each sleep of one routine call: wake i lists the acts performed
/// while the routine sleeps for the i-th time. Sleeps beyond the list complete the awaited I/O.
/// </summary>
public sealed class Interference(IReadOnlyList<Act[]> wakes) : IEquatable<Interference>
{
    public static readonly Interference None = new([]);

    public IReadOnlyList<Act[]> Wakes { get; } = wakes;

    public bool IsEmpty => Wakes.Count == 0;

    public string Suffix() => IsEmpty ? "" : ", interference: " + this;

    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < Wakes.Count; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(string.Join("+", Wakes[i]));
        }
        return sb.Append(']').ToString();
    }

    public bool Equals(Interference? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as Interference);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
