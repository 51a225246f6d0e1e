using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Kernel;

/// <summary>mmap(addr or NULL, pages, prot, MAP_SHARED or MAP_PRIVATE [| MAP_FIXED], fd of file F, offset).</summary>
public sealed record ProcMmapFile(int Pid, ulong? Addr, int Pages, Prot Prot, int File, ulong Offset, bool Shared)
    : KernelOp
{
    public override string ToString() =>
        $"mmap p{Pid} {(Addr is { } a ? $"0x{a:x}" : "any")} +{Pages} {MapConst.Format(Prot)} file {File} 0x{Offset:x} {(Shared ? "shared" : "private")}";
}

/// <summary>msync(addr, pages, MS_ASYNC, MS_SYNC or MS_INVALIDATE).</summary>
public sealed record ProcMsync(int Pid, ulong Addr, int Pages, MsyncMode Mode) : KernelOp
{
    public override string ToString() => $"msync p{Pid} 0x{Addr:x} +{Pages} {Mode.ToString().ToLowerInvariant()}";
}

/// <summary>madvise(addr, pages, MADV_*).</summary>
public sealed record ProcMadvise(int Pid, ulong Addr, int Pages, MadviseMode Mode) : KernelOp
{
    public override string ToString() => $"madvise p{Pid} 0x{Addr:x} +{Pages} {Mode.ToString().ToLowerInvariant()}";
}

/// <summary>The page daemon acting on one physical page.</summary>
public sealed record PageDaemonOp(int Page, DaemonAction Action) : KernelOp
{
    public override string ToString() => $"pagedaemon page {Page} {Action.ToString().ToLowerInvariant()}";
}

public static partial class KernelOpParser
{
    /// <summary>
    /// The file ops' syntax: <c>mmap ... file F offset shared|private</c>, <c>msync pP addr +n mode</c>,
    /// <c>madvise pP addr +n advice</c>, <c>pagedaemon page N action</c>. => null for any other op
    /// </summary>
    private static KernelOp? ParseFileOp(string[] w)
    {
        switch (w[0])
        {
            case "msync" or "madvise" when w.Length == 5:
                return w[0] == "msync"
                    ? new ProcMsync(Pid(w[1]), Number(w[2]), Pages(w[3]), Named<MsyncMode>(w[4]))
                    : new ProcMadvise(Pid(w[1]), Number(w[2]), Pages(w[3]), Named<MadviseMode>(w[4]));
            case "msync" or "madvise":
                throw new FormatException($"'{w[0]}' takes 4 arguments, not {w.Length - 1}");
            case "pagedaemon" when w.Length == 4 && w[1] == "page":
                return new PageDaemonOp(PhysicalPage(w[2]), Named<DaemonAction>(w[3]));
            case "pagedaemon":
                throw new FormatException("'pagedaemon' reads 'pagedaemon page N deactivate|clean|free|pageout'");
        }
        if (w[0] != "mmap" || w.Length != 9)
            return null;
        if (w[5] != "file")
            throw new FormatException(
                $"'{w[5]}': a file mapping reads 'mmap pP addr +n prot file F offset shared|private'"
            );
        ulong offset = Number(w[7]);
        if (!MapConst.IsPageAligned(offset))
            throw new FormatException($"'{w[7]}' is not a page-aligned file offset");
        return new ProcMmapFile(
            Pid(w[1]),
            w[2] == "any" ? null : Number(w[2]),
            Pages(w[3]),
            ProtOf(w[4]),
            File(w[6]),
            offset,
            Sharing(w[8])
        );
    }

    private static T Named<T>(string text)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0])
            ? value
            : throw new FormatException(
                $"'{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}"
            );

    private static int PhysicalPage(string text) =>
        int.TryParse(text, out int page) && page >= 0 && page < KernelWorld.Pages
            ? page
            : throw new FormatException($"'{text}' is not a physical page 0..{KernelWorld.Pages - 1}");

    private static int File(string text) =>
        int.TryParse(text, out int file) && file >= 1 && file <= KernelFiles.Count
            ? file
            : throw new FormatException($"'{text}' is not a file 1..{KernelFiles.Count}");
}
