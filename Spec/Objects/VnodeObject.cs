using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_vnode.c: struct uvm_vnode over a simulated file. The file is an array of page-sized blocks,
/// each holding the content value last written to it (0: never written).
/// </summary>
public sealed class VnodeObject : UvmObject
{
    /// <summary>u_size in bytes; need not be page-aligned.</summary>
    public readonly long USize;

    /// <summary>The backing file's blocks, one per page of round_page(u_size).</summary>
    public readonly long[] File;

    public VnodeObject(int id, PageIndex pages, long uSize)
        : base(id, pages)
    {
        USize = uSize;
        File = new long[K.RoundPage(uSize) >> K.PageShift];
    }

    public override long Size => USize;

    public override string Kind => "vnode";
}
