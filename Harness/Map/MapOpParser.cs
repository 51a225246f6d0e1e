using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>Reads map ops back from replay syntax; every problem is a FormatException saying what is wrong.</summary>
public static class MapOpParser
{
    public static MapOp Parse(string line)
    {
        var call = OpSyntax.ParseCall(line);
        return call.Name switch
        {
            "Mmap" => Mapping(
                call,
                (kind, obj, off, max) =>
                    new Mmap(Page(call, "addr"), Size(call), Protection(call, "prot"), kind, obj, off, max)
            ),
            "MmapAny" => Mapping(
                call,
                (kind, obj, off, max) => new MmapAny(Size(call), Protection(call, "prot"), kind, obj, off, max)
            ),
            "Munmap" => new Munmap(Page(call, "addr"), Size(call)),
            "Mprotect" => new Mprotect(Page(call, "addr"), Size(call), Protection(call, "prot")),
            "Minherit" => new Minherit(Page(call, "addr"), Size(call), Word<Inherit>(call, "inherit")),
            "Mimmutable" => new Mimmutable(Page(call, "addr"), Size(call)),
            "Madvise" => new Madvise(Page(call, "addr"), Size(call), Word<Advice>(call, "advice")),
            "Mlock" => new Mlock(Page(call, "addr"), Size(call)),
            "Munlock" => new Munlock(Page(call, "addr"), Size(call)),
            "Fault" => new Fault(Page(call, "addr"), call.TryArg("write") is { } w && Bool(call, w)),
            _ => throw new FormatException($"unknown operation '{call.Name}'"),
        };
    }

    private static MapOp Mapping(CallNode call, Func<MapKind, int, ulong, Prot, MapOp> make)
    {
        var kind = Word<MapKind>(call, "kind");
        int obj = 0;
        ulong off = 0;
        if (kind is MapKind.FilePrivate or MapKind.FileShared)
        {
            ulong id = Number(call, "obj");
            if (id < 1 || id > MapConst.Objects)
                throw new FormatException($"{call.Name}: no object {id} (files are 1 to {MapConst.Objects})");
            obj = (int)id;
            off = Page(call, "off");
        }
        var max = call.TryArg("max") is null ? Prot.RWX : Protection(call, "max");
        return make(kind, obj, off, max);
    }

    private static ulong Size(CallNode call)
    {
        ulong size = Page(call, "size");
        if (size == 0)
            throw new FormatException($"{call.Name}: size must not be 0");
        return size;
    }

    private static ulong Page(CallNode call, string key)
    {
        ulong value = Number(call, key);
        if (!MapConst.IsPageAligned(value))
            throw new FormatException($"{call.Name}: {key} 0x{value:x} is not page-aligned");
        return value;
    }

    private static ulong Number(CallNode call, string key) =>
        call.Arg(key) is NumberNode n ? n.Value : throw new FormatException($"{call.Name}: {key} must be a number");

    private static Prot Protection(CallNode call, string key)
    {
        if (call.Arg(key) is not WordNode { Word: var word })
            throw new FormatException($"{call.Name}: {key} must be None or letters from R, W, X");
        if (word == "None")
            return Prot.None;
        var prot = Prot.None;
        foreach (char c in word)
        {
            prot |= c switch
            {
                'R' => Prot.R,
                'W' => Prot.W,
                'X' => Prot.X,
                _ => throw new FormatException($"{call.Name}: {key} '{word}' must be None or letters from R, W, X"),
            };
        }
        return prot;
    }

    private static T Word<T>(CallNode call, string key)
        where T : struct, Enum
    {
        if (
            call.Arg(key) is WordNode { Word: var word }
            && Enum.TryParse<T>(word, ignoreCase: false, out var value)
            && Enum.IsDefined(value)
        )
            return value;
        throw new FormatException($"{call.Name}: {key} must be one of {string.Join(", ", Enum.GetNames<T>())}");
    }

    private static bool Bool(CallNode call, SyntaxNode node) =>
        node is WordNode { Word: "true" or "false" } w
            ? w.Word == "true"
            : throw new FormatException($"{call.Name}: write must be true or false");
}
