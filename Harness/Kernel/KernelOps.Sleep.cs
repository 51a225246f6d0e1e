namespace UvmDiff.Harness.Kernel;

/// <summary>
/// A flushing op (<paramref name="Flush"/>: msync, madvise, or munmap or exit when they drop a file's
/// last reference and uvn_detach flushes it) during which another CPU runs <paramref name="During"/>,
/// then <paramref name="Then"/>: the first time the flush sleeps on another thread's busy page, once that
/// page's I/O has completed and before the flush runs again. A flush that never sleeps so runs alone.
/// </summary>
public sealed record WhileAsleep(KernelOp Flush, KernelOp During, KernelOp? Then = null) : KernelOp
{
    public override string ToString() => $"{Flush} while {During}{(Then is { } then ? $" then {then}" : "")}";

    /// <summary>The ops that flush: a plain exit, munmap, msync, madvise.</summary>
    public static bool Flushes(KernelOp op) =>
        op is ProcExit { DuringPage: null } or ProcMunmap or ProcMsync or ProcMadvise;

    /// <summary>
    /// The ops another CPU runs while a flush sleeps: another process's access, a context switch, another
    /// process's munmap or exit, the page daemon. No second flush of a map (msync, madvise) and no new
    /// reference to a file (mmap, fork) starts meanwhile: uvn_detach's flush runs on a vnode no map holds.
    /// </summary>
    public static bool Interferes(KernelOp op) =>
        op is CpuAccess or CpuSwitch or ProcMunmap or ProcExit { DuringPage: null } or PageDaemonOp;
}

public static partial class KernelOpParser
{
    /// <summary>
    /// <c>FLUSH while OP [then OP]</c>, given the words: => null when there is no <c>while</c>
    /// </summary>
    private static WhileAsleep? ParseWhile(string[] w)
    {
        int at = Array.IndexOf(w, "while");
        if (at < 0)
            return null;
        var flush = Parse(string.Join(' ', w[..at]));
        if (!WhileAsleep.Flushes(flush))
            throw new FormatException(
                $"'{w[0]}' does not flush: 'while' follows msync, madvise, munmap or a plain exit"
            );
        int then = Array.IndexOf(w, "then", at + 1);
        var during = Interfering(w[(at + 1)..(then < 0 ? w.Length : then)]);
        return then < 0 ? new WhileAsleep(flush, during) : new WhileAsleep(flush, during, Interfering(w[(then + 1)..]));
    }

    private static KernelOp Interfering(string[] w)
    {
        if (w.Length == 0)
            throw new FormatException("'while' and 'then' are each followed by an op");
        if (Array.IndexOf(w, "while") >= 0 || Array.IndexOf(w, "then") >= 0)
            throw new FormatException("one flush sleeps at a time, with at most two ops: 'FLUSH while OP then OP'");
        var op = Parse(string.Join(' ', w));
        return WhileAsleep.Interferes(op)
            ? op
            : throw new FormatException(
                $"'{w[0]}' cannot run while a flush sleeps: read, write, exec, switch, munmap, a plain exit or the page daemon can"
            );
    }
}
