using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// An op of the whole kernel, at the level a process sees it. <c>ToString()</c> is replay syntax:
/// processes are <c>p0</c>..<c>p2</c>, CPUs <c>cpu0</c>, <c>cpu1</c>, sizes <c>+pages</c>.
/// </summary>
public abstract record KernelOp;

/// <summary>mmap(addr or NULL, pages, prot, MAP_ANON | MAP_PRIVATE or MAP_SHARED [| MAP_FIXED]).</summary>
/// <summary>Anonymous mmap: MAP_PRIVATE, MAP_SHARED, or MAP_STACK (private, never chunked at fault time).</summary>
public sealed record ProcMmap(int Pid, ulong? Addr, int Pages, Prot Prot, bool Shared, bool Stack = false) : KernelOp
{
    public MapKind Kind =>
        Stack ? MapKind.Stack
        : Shared ? MapKind.Shared
        : MapKind.Private;

    public override string ToString() =>
        $"mmap p{Pid} {(Addr is { } a ? $"0x{a:x}" : "any")} +{Pages} {MapConst.Format(Prot)} {(Stack ? "stack" : Shared ? "shared" : "private")}";
}

public sealed record ProcMunmap(int Pid, ulong Addr, int Pages) : KernelOp
{
    public override string ToString() => $"munmap p{Pid} 0x{Addr:x} +{Pages}";
}

public sealed record ProcMprotect(int Pid, ulong Addr, int Pages, Prot Prot) : KernelOp
{
    public override string ToString() => $"mprotect p{Pid} 0x{Addr:x} +{Pages} {MapConst.Format(Prot)}";
}

/// <summary>mlock, or munlock when <paramref name="Unlock"/>.</summary>
public sealed record ProcMlock(int Pid, ulong Addr, int Pages, bool Unlock) : KernelOp
{
    public override string ToString() => $"{(Unlock ? "munlock" : "mlock")} p{Pid} 0x{Addr:x} +{Pages}";
}

/// <summary>A load or store by the thread running on a CPU.</summary>
/// <summary>A load, a store, or (<paramref name="Exec"/>) an instruction fetch.</summary>
public sealed record CpuAccess(int Cpu, ulong Va, bool Write, bool Exec = false) : KernelOp
{
    /// <summary>The access type uvm_fault gets: PROT_READ, PROT_WRITE or PROT_EXEC.</summary>
    public Prot Access =>
        Exec ? Prot.X
        : Write ? Prot.W
        : Prot.R;

    public override string ToString() => $"{(Exec ? "exec" : Write ? "write" : "read")} cpu{Cpu} 0x{Va:x}";
}

/// <summary>A context switch on a CPU to a process, or to a kernel thread (<c>idle</c>, pid -1).</summary>
public sealed record CpuSwitch(int Cpu, int Pid) : KernelOp
{
    public override string ToString() => $"switch cpu{Cpu} {(Pid < 0 ? "idle" : $"p{Pid}")}";
}

/// <summary>
/// The process exits; with <paramref name="DuringPage"/>, the page daemon on the other CPU runs
/// pmap_clear_reference (uvmpd_scan_active) on that physical page when the teardown has visited
/// <paramref name="At"/> mappings: seed 004's race, at the level a process sees it.
/// </summary>
public sealed record ProcExit(int Pid, int? DuringPage = null, int At = 0) : KernelOp
{
    public override string ToString() =>
        DuringPage is { } page ? $"exit p{Pid} during clear_reference page {page} at {At}" : $"exit p{Pid}";
}

/// <summary>A new process in the dead slot.</summary>
public sealed record ProcSpawn(int Pid) : KernelOp
{
    public override string ToString() => $"spawn p{Pid}";
}

/// <summary>fork: <paramref name="Parent"/>'s child takes the dead slot <paramref name="Child"/>.</summary>
public sealed record ProcFork(int Parent, int Child) : KernelOp
{
    public override string ToString() => $"fork p{Parent} p{Child}";
}

/// <summary>minherit(addr, pages, share|copy|none|zero).</summary>
public sealed record ProcMinherit(int Pid, ulong Addr, int Pages, Inherit Inherit) : KernelOp
{
    public override string ToString() => $"minherit p{Pid} 0x{Addr:x} +{Pages} {Inherit.ToString().ToLowerInvariant()}";
}

/// <summary>Reads <see cref="KernelOp"/>'s replay syntax back; a <see cref="FormatException"/> says why not.</summary>
public static partial class KernelOpParser
{
    public static KernelOp Parse(string line)
    {
        var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0)
            throw new FormatException("empty line");
        if (ParseWhile(w) is { } whileAsleep)
            return whileAsleep;
        if (ParseFileOp(w) is { } fileOp)
            return fileOp;
        if (ParseKmemOp(w) is { } kmemOp)
            return kmemOp;
        int arguments = w[0] switch
        {
            "mmap" => 5,
            "mprotect" or "minherit" => 4,
            "munmap" or "mlock" or "munlock" => 3,
            "read" or "write" or "exec" or "switch" or "fork" => 2,
            "exit" when w.Length == 8 => 7,
            "exit" or "spawn" => 1,
            _ => throw new FormatException($"'{w[0]}' is not a kernel op"),
        };
        if (w.Length != arguments + 1)
            throw new FormatException($"'{w[0]}' takes {arguments} arguments, not {w.Length - 1}");
        return w[0] switch
        {
            "mmap" => new ProcMmap(
                Pid(w[1]),
                w[2] == "any" ? null : Number(w[2]),
                Pages(w[3]),
                ProtOf(w[4]),
                Sharing(w[5]),
                w[5] == "stack"
            ),
            "munmap" => new ProcMunmap(Pid(w[1]), Number(w[2]), Pages(w[3])),
            "mprotect" => new ProcMprotect(Pid(w[1]), Number(w[2]), Pages(w[3]), ProtOf(w[4])),
            "minherit" => new ProcMinherit(Pid(w[1]), Number(w[2]), Pages(w[3]), InheritOf(w[4])),
            "fork" => new ProcFork(Pid(w[1]), Pid(w[2])),
            "mlock" or "munlock" => new ProcMlock(Pid(w[1]), Number(w[2]), Pages(w[3]), w[0] == "munlock"),
            "read" or "write" or "exec" => new CpuAccess(Cpu(w[1]), Number(w[2]), w[0] == "write", w[0] == "exec"),
            "switch" => new CpuSwitch(Cpu(w[1]), w[2] == "idle" ? -1 : Pid(w[2])),
            "exit" when w.Length == 8 => new ProcExit(Pid(w[1]), DuringPage(w), TeardownPoint(w[7])),
            "exit" => new ProcExit(Pid(w[1])),
            _ => new ProcSpawn(Pid(w[1])),
        };
    }

    /// <summary><c>exit pP during clear_reference page N at K</c>: the page, after checking the words between.</summary>
    private static int DuringPage(string[] w) =>
        w[2] == "during" && w[3] == "clear_reference" && w[4] == "page" && w[6] == "at"
            ? PhysicalPage(w[5])
            : throw new FormatException(
                "an exit with the page daemon on the other CPU reads 'exit pP during clear_reference page N at K'"
            );

    /// <summary>How many mappings the teardown has visited when the other CPU's walk runs: 0..64.</summary>
    private static int TeardownPoint(string text) =>
        int.TryParse(text, out int point) && point >= 0 && point <= 64
            ? point
            : throw new FormatException($"'{text}' is not a teardown point 0..64");

    private static int Pid(string text) =>
        text.StartsWith('p')
        && int.TryParse(text.AsSpan(1), out int pid)
        && pid >= 0
        && pid < Spec.Kernel.Process.KernelWorld.Processes
            ? pid
            : throw new FormatException(
                $"'{text}' is not a process p0..p{Spec.Kernel.Process.KernelWorld.Processes - 1}"
            );

    private static int Cpu(string text) =>
        text.StartsWith("cpu")
        && int.TryParse(text.AsSpan(3), out int cpu)
        && cpu >= 0
        && cpu < Spec.Kernel.Process.KernelWorld.Cpus
            ? cpu
            : throw new FormatException($"'{text}' is not a CPU cpu0..cpu{Spec.Kernel.Process.KernelWorld.Cpus - 1}");

    private static ulong Number(string text) =>
        OpSyntax.TryParseNumber(text, out ulong value) ? value : throw new FormatException($"'{text}' is not a number");

    private static int Pages(string text) =>
        text.StartsWith('+') && int.TryParse(text.AsSpan(1), out int pages) && pages > 0 && pages <= 1 << 20
            ? pages
            : throw new FormatException($"'{text}' is not a page count +N");

    private static bool Sharing(string text) =>
        text switch
        {
            "shared" => true,
            "private" or "stack" => false,
            _ => throw new FormatException($"'{text}' is not shared, private or stack"),
        };

    private static Inherit InheritOf(string text) =>
        text switch
        {
            "share" => Inherit.Share,
            "copy" => Inherit.Copy,
            "none" => Inherit.None,
            "zero" => Inherit.Zero,
            _ => throw new FormatException($"'{text}' is not share, copy, none or zero"),
        };

    private static Prot ProtOf(string text)
    {
        if (text.Length != 3)
            throw new FormatException($"'{text}' is not a protection like rw-");
        var prot = Prot.None;
        for (int i = 0; i < 3; i++)
        {
            if (text[i] == "rwx"[i])
                prot |= (Prot)(1 << i);
            else if (text[i] != '-')
                throw new FormatException($"'{text}' is not a protection like rw-");
        }
        if (prot == Prot.W)
            throw new FormatException("write-only protections are outside the pmap layer's model");
        return prot;
    }
}
