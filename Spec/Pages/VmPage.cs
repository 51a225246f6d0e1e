using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// uvm_page.h: struct vm_page. Fields read and write like the C struct's: every routine uses them
/// directly, and the invariants check them between steps. Writing an observed field records the page
/// in its machine's <see cref="Changes"/>.
/// </summary>
public sealed class VmPage(int frame, Changes changes)
{
    private PgFlags _flags = PgFlags.QueueFree;
    private uint _wireCount;
    private UvmObject? _object;
    private long _offset;
    private VmPage? _queuePrev;
    private VmPage? _queueNext;
    private bool _pmapModified;
    private PmapMapping _mapping;
    private long _data;
    private string? _owner;

    /// <summary>Physical frame number; stands for phys_addr.</summary>
    public readonly int Frame = frame;

    public PgFlags Flags
    {
        get => _flags;
        set
        {
            _flags = value;
            changes.Page(this);
        }
    }

    public uint WireCount
    {
        get => _wireCount;
        set
        {
            _wireCount = value;
            changes.Page(this);
        }
    }

    public UvmObject? Object
    {
        get => _object;
        set
        {
            changes.Object(_object);
            changes.Object(value);
            _object = value;
            changes.Page(this);
        }
    }

    public long Offset
    {
        get => _offset;
        set
        {
            _offset = value;
            changes.Page(this);
        }
    }

    /// <summary>pg_version: bumped whenever the page leaves its object.</summary>
    public uint Version;

    /// <summary>pageq: link on the active or inactive queue.</summary>
    public VmPage? QueuePrev
    {
        get => _queuePrev;
        set
        {
            _queuePrev = value;
            changes.Page(this);
        }
    }

    public VmPage? QueueNext
    {
        get => _queueNext;
        set
        {
            _queueNext = value;
            changes.Page(this);
        }
    }

    /// <summary>objt: the owning object's index link, owned by that index.</summary>
    public ObjTreeLink? TreeLink;

    /// <summary>The pmap's modified bit for this page (PG_PMAP0 / the PTE M bit) in this layer.</summary>
    public bool PmapModified
    {
        get => _pmapModified;
        set
        {
            _pmapModified = value;
            changes.Page(this);
        }
    }

    /// <summary>
    /// The strongest access any pmap mapping of the page allows. pmap_page_protect lowers it, a fault
    /// raises it; a store through a mapping that does not allow writes faults first.
    /// </summary>
    public PmapMapping Mapping
    {
        get => _mapping;
        set
        {
            _mapping = value;
            changes.Page(this);
        }
    }

    /// <summary>The content the page holds: a write counter value, 0 for zero-fill.</summary>
    public long Data
    {
        get => _data;
        set
        {
            _data = value;
            changes.Page(this);
        }
    }

    /// <summary>UVM_PAGE_OWN: who holds PG_BUSY. <see cref="Owners.OtherThread"/> for I/O by others.</summary>
    public string? Owner
    {
        get => _owner;
        set
        {
            _owner = value;
            changes.Page(this);
        }
    }

    /// <summary>Listed in <see cref="Changes"/> since the last time they were taken in.</summary>
    public bool Changed;

    /// <summary>Back to a page of the free cache that was never used (a machine being reset).</summary>
    public void ResetToFree()
    {
        _flags = PgFlags.QueueFree;
        _wireCount = 0;
        _object = null;
        _offset = 0;
        _queuePrev = _queueNext = null;
        _pmapModified = false;
        _mapping = PmapMapping.None;
        _data = 0;
        _owner = null;
        Version = 0;
        Changed = false;
    }

    public bool Has(PgFlags flags) => (_flags & flags) != 0;

    public override string ToString() =>
        Object is null ? $"page#{Frame} (free)" : $"page#{Frame} obj {Object.Id}@0x{Offset:x}";
}

/// <summary>What the pmap mappings of a page allow, as the pmap layer will record it per mapping.</summary>
public enum PmapMapping : byte
{
    /// <summary>No mapping: any access faults.</summary>
    None,

    /// <summary>Mapped PROT_READ: a write faults.</summary>
    Read,

    /// <summary>Mapped PROT_READ|PROT_WRITE: a write sets the modified bit without a fault.</summary>
    Write,
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
