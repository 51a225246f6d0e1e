using System.Runtime.CompilerServices;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Kernel;

/// <summary>
/// <c>struct vm_page *pps[16]</c> on the kernel stack, as uvn_flush (MAXBSIZE &gt;&gt; PAGE_SHIFT) and
/// uvm_obj_wire (FETCH_PAGECOUNT) declare it: a fixed array living in the caller's frame, used as a
/// <see cref="Span{T}"/>, so a routine call costs no allocation.
/// </summary>
[InlineArray(Length)]
public struct StackPages
{
    public const int Length = 16;

    private VmPage _element;
}
