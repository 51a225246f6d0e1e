using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// An operation on one process's vm_map: data only. ToString prints replay syntax and
/// <see cref="MapOpParser"/> reads it back. Addresses and sizes are bytes, printed in hex, page-aligned.
/// </summary>
public abstract record MapOp
{
    protected static string Hex(ulong value) => "0x" + value.ToString("x");

    public static string FormatProt(Prot prot) =>
        prot == Prot.None
            ? "None"
            : ((prot & Prot.R) != 0 ? "R" : "") + ((prot & Prot.W) != 0 ? "W" : "") + ((prot & Prot.X) != 0 ? "X" : "");

    protected static string Mapping(MapKind kind, int obj, ulong off, Prot max) =>
        $"kind: {kind}"
        + (kind is MapKind.FilePrivate or MapKind.FileShared ? $", obj: {obj}, off: {Hex(off)}" : "")
        + (max != Prot.RWX ? $", max: {FormatProt(max)}" : "");
}

/// <summary>An op over [addr, addr + size).</summary>
public abstract record RangeOp(ulong Addr, ulong Size) : MapOp
{
    public ulong End => Addr + Size;

    public sealed override string ToString() => $"{GetType().Name}(addr: {Hex(Addr)}, size: {Hex(Size)}{Extra})";

    protected virtual string Extra => "";
}

/// <summary>mmap(addr, size, prot, MAP_FIXED | kind): replaces what was there (uvm_map with UVM_FLAG_UNMAP).</summary>
public sealed record Mmap(
    ulong Addr,
    ulong Size,
    Prot Prot,
    MapKind Kind,
    int Obj = 0,
    ulong Off = 0,
    Prot Max = Prot.RWX
) : RangeOp(Addr, Size)
{
    protected override string Extra => $", prot: {FormatProt(Prot)}, {Mapping(Kind, Obj, Off, Max)}";
}

/// <summary>mmap(NULL, size, ...): placed at the first address that fits; returns the address.</summary>
public sealed record MmapAny(ulong Size, Prot Prot, MapKind Kind, int Obj = 0, ulong Off = 0, Prot Max = Prot.RWX)
    : MapOp
{
    public override string ToString() =>
        $"MmapAny(size: {Hex(Size)}, prot: {FormatProt(Prot)}, {Mapping(Kind, Obj, Off, Max)})";
}

/// <summary>munmap.</summary>
public sealed record Munmap(ulong Addr, ulong Size) : RangeOp(Addr, Size);

/// <summary>mprotect.</summary>
public sealed record Mprotect(ulong Addr, ulong Size, Prot Prot) : RangeOp(Addr, Size)
{
    protected override string Extra => $", prot: {FormatProt(Prot)}";
}

/// <summary>minherit.</summary>
public sealed record Minherit(ulong Addr, ulong Size, Inherit Inherit) : RangeOp(Addr, Size)
{
    protected override string Extra => $", inherit: {Inherit}";
}

/// <summary>mimmutable.</summary>
public sealed record Mimmutable(ulong Addr, ulong Size) : RangeOp(Addr, Size);

/// <summary>madvise with NORMAL, RANDOM or SEQUENTIAL (uvm_map_advice).</summary>
public sealed record Madvise(ulong Addr, ulong Size, Advice Advice) : RangeOp(Addr, Size)
{
    protected override string Extra => $", advice: {Advice}";
}

/// <summary>mlock, as uvm_map_pageable(..., FALSE) returns it (the syscall would say ENOMEM for every error).</summary>
public sealed record Mlock(ulong Addr, ulong Size) : RangeOp(Addr, Size);

/// <summary>munlock, as uvm_map_pageable(..., TRUE) returns it.</summary>
public sealed record Munlock(ulong Addr, ulong Size) : RangeOp(Addr, Size);

/// <summary>A page fault at addr, for reading or writing.</summary>
public sealed record Fault(ulong Addr, bool Write) : MapOp
{
    public override string ToString() => $"Fault(addr: {Hex(Addr)}{(Write ? ", write: true" : "")})";
}
