using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>km_alloc(pages, &amp;kv_any, &amp;kp_pageable, &amp;kd_waitok) by a kernel thread.</summary>
public sealed record KernelMalloc(int Pages) : KernelOp
{
    public override string ToString() => $"kmalloc +{Pages}";
}

/// <summary>km_free(va, pages, &amp;kv_any, &amp;kp_pageable).</summary>
public sealed record KernelFree(ulong Va, int Pages) : KernelOp
{
    public override string ToString() => $"kfree 0x{Va:x} +{Pages}";
}

/// <summary>
/// A kernel thread's copyin into (<c>kwrite</c>) or copyout from (<c>kread</c>) pageable kernel memory,
/// as a pipe's buffer takes them; <c>swaperror</c>: the swap device fails the read the fault makes.
/// </summary>
public sealed record KernelAccessOp(ulong Va, bool Write, bool SwapError = false) : KernelOp
{
    public override string ToString() => $"{(Write ? "kwrite" : "kread")} 0x{Va:x}{(SwapError ? " swaperror" : "")}";
}

/// <summary>The drm driver pins one page of the GEM object (uvm_obj_wire), or unpins a range (uvm_obj_unwire).</summary>
public sealed record GemOp(long Offset, int Pages, bool Unpin) : KernelOp
{
    public override string ToString() => Unpin ? $"gem unpin 0x{Offset:x} +{Pages}" : $"gem pin 0x{Offset:x}";
}

public static partial class KernelOpParser
{
    /// <summary>
    /// The kernel memory ops' syntax: <c>kmalloc +n</c>, <c>kfree va +n</c>, <c>kread|kwrite va [swaperror]</c>,
    /// <c>gem pin offset</c>, <c>gem unpin offset +n</c>. => null for any other op
    /// </summary>
    private static KernelOp? ParseKmemOp(string[] w)
    {
        switch (w[0])
        {
            case "kmalloc" when w.Length == 2:
                return new KernelMalloc(Pages(w[1]));
            case "kfree" when w.Length == 3:
                return new KernelFree(PageAligned(w[1]), Pages(w[2]));
            case "kread" or "kwrite" when w.Length == 2 || (w.Length == 3 && w[2] == "swaperror"):
                return new KernelAccessOp(Number(w[1]), w[0] == "kwrite", w.Length == 3);
            case "gem" when w.Length == 3 && w[1] == "pin":
                return new GemOp(GemOffset(w[2]), 1, Unpin: false);
            case "gem" when w.Length == 4 && w[1] == "unpin":
                return new GemOp(GemOffset(w[2]), Pages(w[3]), Unpin: true);
            case "kmalloc":
                throw new FormatException("'kmalloc' reads 'kmalloc +n'");
            case "kfree":
                throw new FormatException("'kfree' reads 'kfree va +n'");
            case "kread" or "kwrite":
                throw new FormatException($"'{w[0]}' reads '{w[0]} va' or '{w[0]} va swaperror'");
            case "gem":
                throw new FormatException("'gem' reads 'gem pin offset' or 'gem unpin offset +n'");
            default:
                return null;
        }
    }

    private static ulong PageAligned(string text)
    {
        ulong value = Number(text);
        return MapConst.IsPageAligned(value) ? value : throw new FormatException($"'{text}' is not page-aligned");
    }

    private static long GemOffset(string text)
    {
        ulong value = PageAligned(text);
        return value < (ulong)KernelMemory.GemPages << K.PageShift
            ? (long)value
            : throw new FormatException(
                $"'{text}' is not an offset inside the GEM object's {KernelMemory.GemPages} pages"
            );
    }
}

public sealed partial class KernelSide
{
    private Outcome ExecuteKmemOp(KernelOp op)
    {
        switch (op)
        {
            case KernelMalloc m:
                var error = Machine.Kmalloc(Bytes(m.Pages), out ulong va);
                return error is null ? Outcome.Of((long)va, "0x" + va.ToString("x")) : StatusOf(error);
            case KernelFree f:
                return StatusOf(Machine.Kfree(f.Va, Bytes(f.Pages)));
            case KernelAccessOp a:
                error = Machine.KernelAccess(a.Va, a.Write, a.SwapError, out int page);
                return error is null ? PageOutcomes[page] : StatusOf(error);
            case GemOp { Unpin: false } g:
                return StatusOf(Machine.GemPin(g.Offset));
            case GemOp g:
                return StatusOf(Machine.GemUnpin(g.Offset, (long)Bytes(g.Pages)));
            default:
                throw new ArgumentException($"not a kernel op: {op}");
        }
    }
}

public sealed partial class KernelFacts
{
    public void KernelAllocated(int index)
    {
        Sum += FactHash.Of(47, index);
        lines?.Add($"kmem 0x{KernelMemory.Base + ((ulong)index << K.PageShift):x}: allocated");
    }

    public void AobjPage(
        int obj,
        long offset,
        int page,
        bool clean,
        QueueKind queue,
        long data,
        int wired,
        bool mapped,
        bool modified
    )
    {
        int flags = (clean ? 1 : 0) | (int)queue << 1 | (mapped ? 8 : 0) | (modified ? 16 : 0);
        long bits = (long)wired << 8 | (uint)flags;
        Sum += FactHash.Of(48, obj, offset, page, bits, data);
        lines?.Add(
            $"{ObjectName(obj)} @0x{offset:x}: page {page} {(clean ? "clean" : "dirty")} {queue.ToString().ToLowerInvariant()} data {data} wire {wired}{(mapped ? " mapped" : "")}{(modified ? " mod" : "")}"
        );
    }

    public void SwapSlot(int obj, int index, bool bad, long data)
    {
        Sum += FactHash.Of(49, obj, index, bad ? 1 : 0, data);
        lines?.Add($"{ObjectName(obj)} swap {index}: {(bad ? "SWSLOT_BAD" : $"data {data}")}");
    }

    public void Swap(int inUse, int only)
    {
        Sum += FactHash.Of(50, inUse, only);
        lines?.Add($"swap: swpginuse {inUse} swpgonly {only}");
    }

    private static string ObjectName(int obj) => obj == KernelMemory.KernelObjectId ? "kernel_object" : "gem";
}
