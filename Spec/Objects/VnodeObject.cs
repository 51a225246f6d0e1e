using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_vnode.c: struct uvm_vnode over a simulated file. The file is an array of page-sized blocks,
/// each holding the content value last written to it (0: never written).
/// </summary>
public sealed class VnodeObject : UvmObject
{
    private readonly long[] _file;

    /// <summary>u_size in bytes; need not be page-aligned.</summary>
    public readonly long USize;

    public VnodeObject(int id, PageIndex pages, long uSize)
        : base(id, pages)
    {
        USize = uSize;
        _file = new long[K.RoundPage(uSize) >> K.PageShift];
    }

    /// <summary>The backing file's blocks, one per page of round_page(u_size).</summary>
    public ReadOnlySpan<long> File => _file;

    public void WriteBlock(int block, long data)
    {
        _file[block] = data;
        Changes.Block(this, block);
    }

    public override long Size => USize;

    public override string Kind => "vnode";

    public override void Reset()
    {
        base.Reset();
        Array.Clear(_file);
    }
}
