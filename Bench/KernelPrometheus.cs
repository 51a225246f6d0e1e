using UvmDiff.Implementations;
using UvmDiff.Implementations.Kernel;
using UvmDiff.Implementations.Map;
using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using Prot = UvmDiff.Spec.Map.Prot;

namespace UvmDiff.Bench;

/// <summary>
/// Seed 000's prometheus loop at the kernel level: a process maps a file shared, stores to it and unmaps
/// it, for every write, so each munmap drops the file's last reference and uvn_detach runs
/// uvn_flush(CLEANIT|FREE|ALLPAGES). Counted per cycle on the reference kernel (per-offset uvn_flush,
/// hash index) and on the composed amd64 kernel (range iterator, RB tree): page-index work inside uvn_flush.
/// </summary>
public static class KernelPrometheus
{
    public const int Cycles = 100;
    private const ulong Addr = 0x1000_0000;

    /// <summary>The two loops of the figure: one page stored per cycle, and four pages mapped and all stored.</summary>
    public static readonly (string Name, int Pages, int Stores)[] Loops =
    [
        ("map 1 page, store 1", 1, 1),
        ("map 4 pages, store 4", 4, 4),
    ];

    public static IKernelMachine Kernel(bool reference) =>
        reference
            ? new ReferenceKernel(Arch.Amd64)
            : new ComposedKernel(
                arena => new TreeVmMap(new RbTreeIndex(), FaultSet.None, arena: arena),
                new Amd64Pmap(FaultSet.None, Amd64Teardown.Kernel),
                FaultSet.None
            );

    /// <summary>=> uvn_flush calls and page-index work over <see cref="Cycles"/> cycles of the loop</summary>
    public static (long Flushes, long Nodes) Run(bool reference, int pages, int stores)
    {
        var kernel = Kernel(reference);
        kernel.Switch(0, 0);
        ulong size = (ulong)pages << MapConst.PageShift;
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            ulong offset = (ulong)(cycle % (KernelFiles.Pages - pages + 1)) << MapConst.PageShift;
            Check(kernel.MmapFile(0, Addr, size, Prot.RW, 1, offset, shared: true, out _));
            for (int i = 0; i < stores; i++)
                Check(kernel.Access(0, Addr + ((ulong)i << MapConst.PageShift), Prot.W, out _));
            Check(kernel.Munmap(0, Addr, size));
        }
        var work = (IFlushWork)kernel;
        return (work.Flushes, work.FlushNodes);
    }

    private static void Check(string? error)
    {
        if (error is not null)
            throw new InvalidOperationException($"prometheus loop: {error}");
    }

    /// <summary>bench --counters: per loop and kernel, uvn_flush calls and index work per cycle.</summary>
    public static void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(
            $"seed 000 prometheus loop at the kernel level ({Cycles} cycles, {KernelFiles.Pages}-page file): uvn_flush index work per cycle"
        );
        output.WriteLine($"{"loop", -24} {"kernel", -34} {"flushes", 8} {"nodes/cycle", 12}");
        foreach (var (name, pages, stores) in Loops)
        {
            foreach (bool reference in new[] { true, false })
            {
                var (flushes, nodes) = Run(reference, pages, stores);
                string kernel = reference ? "reference (per-offset, hash)" : "rbtree+amd64 (range iterator)";
                output.WriteLine($"{name, -24} {kernel, -34} {flushes, 8} {(double)nodes / Cycles, 12:F1}");
            }
        }
    }
}
