using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

public sealed partial class KernelSide
{
    private Outcome ExecuteFileOp(KernelOp op)
    {
        switch (op)
        {
            case ProcMmapFile m:
                var error = Machine.MmapFile(
                    m.Pid,
                    m.Addr,
                    (ulong)m.Pages << MapConst.PageShift,
                    m.Prot,
                    m.File,
                    m.Offset,
                    m.Shared,
                    out ulong chosen
                );
                return error is null && m.Addr is null
                    ? Outcome.Of((long)chosen, "0x" + chosen.ToString("x"))
                    : StatusOf(error);
            default:
                throw new ArgumentException($"not a kernel op: {op}");
        }
    }
}
