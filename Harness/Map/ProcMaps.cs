using System.Globalization;
using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// Reads Linux /proc/PID/maps text (<c>start-end perms offset dev inode [pathname]</c>) into map ops that
/// rebuild the address space: one MAP_FIXED mmap per line. An anonymous line becomes a private (or, for
/// 's', shared) anonymous mapping, <c>[stack]</c> a stack entry, a line with an inode a file mapping
/// (the model has three file objects, so each (device, inode) is assigned one of them by hash),
/// <c>[heap]</c>, <c>[vdso]</c>, <c>[vvar]</c> and <c>[vsyscall]</c> anonymous mappings. Pathnames, deleted
/// files included, are ignored. Maximum protection is RWX except on a shared file mapping without
/// write permission, which gets R|X (a file opened read-only).
/// </summary>
public static class ProcMaps
{
    /// <summary>=> a <see cref="LayerOptionException"/> "FILE:LINE: why" for the first malformed line</summary>
    public static IReadOnlyList<MapOp> Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new LayerOptionException($"{path}: {e.Message}");
        }
        return Parse(path, lines);
    }

    public static IReadOnlyList<MapOp> Parse(string name, IReadOnlyList<string> lines)
    {
        var ops = new List<MapOp>(lines.Count);
        ulong previousEnd = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            try
            {
                var op = Line(lines[i]);
                if (op.Addr < previousEnd)
                    throw new FormatException(
                        $"0x{op.Addr:x} overlaps or precedes the line before (which ends at 0x{previousEnd:x})"
                    );
                previousEnd = op.End;
                ops.Add(op);
            }
            catch (FormatException e)
            {
                throw new LayerOptionException($"{name}:{i + 1}: {e.Message}");
            }
        }
        if (ops.Count == 0)
            throw new LayerOptionException($"{name}: no mappings");
        return ops;
    }

    private static Mmap Line(string line)
    {
        var fields = line.Split((char[]?)null, 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
            throw new FormatException("expected 'start-end perms offset dev inode [pathname]'");
        var range = fields[0].Split('-');
        if (range.Length != 2)
            throw new FormatException($"'{fields[0]}' is not start-end");
        ulong start = Hex(range[0], "start");
        ulong end = Hex(range[1], "end");
        if (!MapConst.IsPageAligned(start) || !MapConst.IsPageAligned(end))
            throw new FormatException($"{fields[0]} is not page-aligned");
        if (end <= start)
            throw new FormatException($"{fields[0]} is empty or reversed");
        if (start < MapConst.MinAddress || end > MapConst.MaxAddress)
            throw new FormatException(
                $"{fields[0]} is outside the address space [0x{MapConst.MinAddress:x}, 0x{MapConst.MaxAddress:x})"
            );
        string perms = fields[1];
        if (
            perms.Length != 4
            || "r-".IndexOf(perms[0]) < 0
            || "w-".IndexOf(perms[1]) < 0
            || "x-".IndexOf(perms[2]) < 0
            || "ps".IndexOf(perms[3]) < 0
        )
            throw new FormatException($"permissions '{perms}' are not like 'rw-p'");
        var prot = (perms[0] == 'r' ? Prot.R : 0) | (perms[1] == 'w' ? Prot.W : 0) | (perms[2] == 'x' ? Prot.X : 0);
        bool shared = perms[3] == 's';
        ulong offset = Hex(fields[2], "offset");
        var dev = fields[3].Split(':');
        if (
            dev.Length != 2
            || !ulong.TryParse(dev[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong major)
            || !ulong.TryParse(dev[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong minor)
        )
            throw new FormatException($"device '{fields[3]}' is not major:minor in hex");
        if (!ulong.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
            throw new FormatException($"inode '{fields[4]}' is not a decimal number");
        string pathname = fields.Length > 5 ? fields[5].Trim() : "";
        if (inode == 0)
        {
            var kind =
                pathname == "[stack]" ? MapKind.Stack
                : shared ? MapKind.Shared
                : MapKind.Private;
            return new Mmap(start, end - start, prot, kind);
        }
        if (!MapConst.IsPageAligned(offset))
            throw new FormatException($"file offset 0x{offset:x} is not page-aligned");
        int obj = 1 + (int)(((major * 31 + minor) * 1_000_003 + inode) % MapConst.Objects);
        var max = shared && (prot & Prot.W) == 0 ? Prot.RX : Prot.RWX;
        return new Mmap(
            start,
            end - start,
            prot & max,
            shared ? MapKind.FileShared : MapKind.FilePrivate,
            obj,
            offset,
            max
        );
    }

    private static ulong Hex(string text, string what) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new FormatException($"{what} '{text}' is not a hex number");
}
