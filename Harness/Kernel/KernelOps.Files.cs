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

public static partial class KernelOpParser
{
    /// <summary>The file ops' syntax: <c>mmap ... file F offset shared|private</c>. => null for any other op</summary>
    private static KernelOp? ParseFileOp(string[] w)
    {
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

    private static int File(string text) =>
        int.TryParse(text, out int file) && file >= 1 && file <= KernelFiles.Count
            ? file
            : throw new FormatException($"'{text}' is not a file 1..{KernelFiles.Count}");
}
