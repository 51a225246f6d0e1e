using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>uvm_object.h: struct uvm_object: an id, its resident pages, uo_npages and uo_refs.</summary>
public abstract class UvmObject(int id, PageIndex pages)
{
    public readonly int Id = id;

    /// <summary>memt: the resident pages.</summary>
    public readonly PageIndex Pages = pages;

    /// <summary>uo_npages: maintained by pageinsert and pageremove, checked against the index.</summary>
    public int NPages;

    /// <summary>uo_refs.</summary>
    public int Refs = 1;

    /// <summary>Size of the object in bytes (aobj size, or the vnode's u_size).</summary>
    public abstract long Size { get; }

    public abstract string Kind { get; }

    /// <summary>Where writes to the object's swap slots or file blocks are recorded: its machine's.</summary>
    public Changes Changes { get; internal set; } = new();

    /// <summary>Listed in <see cref="Changes"/> since the last time they were taken in.</summary>
    public bool Changed;

    /// <summary>Back to the state of a new object: no pages, one reference, nothing stored.</summary>
    public virtual void Reset()
    {
        NPages = 0;
        Refs = 1;
        Changed = false;
    }
}
