using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// uvm_page.h: struct vm_page. Fields are public like the C struct's: every routine reads and writes
/// them directly, and the invariants check them between steps.
/// </summary>
public sealed class VmPage(int frame)
{
    /// <summary>Physical frame number; stands for phys_addr.</summary>
    public readonly int Frame = frame;

    public PgFlags Flags = PgFlags.QueueFree;
    public uint WireCount;
    public UvmObject? Object;
    public long Offset;

    /// <summary>pg_version: bumped whenever the page leaves its object.</summary>
    public uint Version;

    /// <summary>pageq: link on the active or inactive queue.</summary>
    public VmPage? QueuePrev;
    public VmPage? QueueNext;

    /// <summary>objt: the owning object's index link, owned by that index.</summary>
    public ObjTreeLink? TreeLink;

    /// <summary>The pmap's modified bit for this page (PG_PMAP0 / the PTE M bit) in this layer.</summary>
    public bool PmapModified;

    /// <summary>The content the page holds: a write counter value, 0 for zero-fill.</summary>
    public long Data;

    /// <summary>UVM_PAGE_OWN: who holds PG_BUSY. <see cref="Owners.OtherThread"/> for I/O by others.</summary>
    public string? Owner;

    public bool Has(PgFlags flags) => (Flags & flags) != 0;

    public override string ToString() =>
        Object is null ? $"page#{Frame} (free)" : $"page#{Frame} obj {Object.Id}@0x{Offset:x}";
}

/// <summary>Well-known UVM_PAGE_OWN tags.</summary>
public static class Owners
{
    /// <summary>Busy because another thread's pagein or pageout is in flight.</summary>
    public const string OtherThread = "other thread";
}

/// <summary>
/// The per-page link an object's page index keeps (struct vm_page's objt). The reference index keeps
/// none; a tree implementation derives its node type from this.
/// </summary>
public abstract class ObjTreeLink;
