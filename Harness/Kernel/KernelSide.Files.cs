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
            case ProcMsync m:
                return StatusOf(Machine.Msync(m.Pid, m.Addr, (ulong)m.Pages << MapConst.PageShift, m.Mode));
            case ProcMadvise m:
                return StatusOf(Machine.Madvise(m.Pid, m.Addr, (ulong)m.Pages << MapConst.PageShift, m.Mode));
            case PageDaemonOp d:
                return StatusOf(Machine.PageDaemon(d.Page, d.Action));
            default:
                return ExecuteKmemOp(op);
        }
    }
}
