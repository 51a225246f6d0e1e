using UvmDiff.Harness.Core;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// Reads object-layer ops back from replay syntax and checks what a caller must guarantee: a known
/// object, page-aligned offsets where the kernel requires them, ranges inside the object.
/// Every problem is a FormatException whose message says what is wrong.
/// </summary>
public static class ObjOpParser
{
    public static ObjOp Parse(string line)
    {
        var call = OpSyntax.ParseCall(line);
        ObjOp op = call.Name switch
        {
            "Alloc" => new Alloc(Obj(call), PageOff(call, "off"), call.TryArg("fail") is { } f && Bool(call, f)),
            "Busy" => new Busy(Obj(call), PageOff(call, "off")),
            "Unbusy" => new Unbusy(Obj(call), PageOff(call, "off")),
            "Dirty" => new Dirty(Obj(call), PageOff(call, "off")),
            "Deactivate" => new Deactivate(Obj(call), PageOff(call, "off")),
            "PageOut" => new PageOut(Obj(call), PageOff(call, "off")),
            "FreePage" => new FreePage(Obj(call), PageOff(call, "off")),
            "Lookup" => new Lookup(Obj(call), PageOff(call, "off")),
            "Wire" => WireRange(call, (o, s, e) => new Wire(o, s, e)),
            "Unwire" => WireRange(call, (o, s, e) => new Unwire(o, s, e)),
            "Flush" => new Flush(Obj(call), Long(call, "start"), Long(call, "stop"), Flags(call), InterferenceOf(call)),
            "KmPgremove" => KernelRange(call),
            "Ref" => new Ref(Obj(call)),
            "Unref" => new Unref(Obj(call)),
            _ => throw new FormatException($"unknown operation '{call.Name}'"),
        };
        return op;
    }

    private static int Obj(CallNode call)
    {
        long id = Long(call, "obj");
        if (!ObjectWorld.IsObject((int)id) || id > int.MaxValue)
            throw new FormatException($"{call.Name}: no object {id} (1 is the aobj, 2 the vnode, 3 the kernel object)");
        return (int)id;
    }

    private static long PageOff(CallNode call, string key)
    {
        long off = Long(call, key);
        if (!K.IsPageAligned(off))
            throw new FormatException($"{call.Name}: {key} 0x{off:x} is not page-aligned");
        return off;
    }

    private static ObjOp WireRange(CallNode call, Func<int, long, long, ObjOp> make)
    {
        int obj = Obj(call);
        long start = PageOff(call, "start");
        long stop = PageOff(call, "stop");
        if (start > stop)
            throw new FormatException($"{call.Name}: start 0x{start:x} is above stop 0x{stop:x}");
        if (stop > ObjectWorld.SizeOf(obj))
            throw new FormatException(
                $"{call.Name}: stop 0x{stop:x} is beyond object {obj} (0x{ObjectWorld.SizeOf(obj):x} bytes)"
            );
        return make(obj, start, stop);
    }

    private static KmPgremove KernelRange(CallNode call)
    {
        ulong sva = Unsigned(call, "sva");
        ulong eva = Unsigned(call, "eva");
        ulong end = Spec.Routines.KmPgremove.KernelMapMin + (ulong)ObjectWorld.SizeOf(ObjectWorld.KernelId);
        if ((sva & K.PageMask) != 0 || (eva & K.PageMask) != 0)
            throw new FormatException($"KmPgremove: addresses must be page-aligned (sva 0x{sva:x}, eva 0x{eva:x})");
        if (sva < Spec.Routines.KmPgremove.KernelMapMin || eva > end || sva > eva)
            throw new FormatException(
                $"KmPgremove: [0x{sva:x}, 0x{eva:x}) is not a range inside the kernel object [0x{Spec.Routines.KmPgremove.KernelMapMin:x}, 0x{end:x})"
            );
        var interference = InterferenceOf(call);
        foreach (var wake in interference.Wakes)
        {
            foreach (var act in wake)
            {
                if (act.Kind is ActKind.Insert or ActKind.Dirty)
                    throw new FormatException(
                        $"KmPgremove: interference cannot {act.Kind}: kernel_map is locked and the range unmapped while uvm_km_pgremove runs"
                    );
            }
        }
        return new KmPgremove(sva, eva, interference);
    }

    private static PgoFlags Flags(CallNode call)
    {
        var node = call.Arg("flags");
        IReadOnlyList<string> words = node switch
        {
            WordNode w => [w.Word],
            UnionNode u => u.Words,
            _ => throw new FormatException($"{call.Name}: flags must be names joined with '|'"),
        };
        var flags = PgoFlags.None;
        foreach (var word in words)
        {
            if (word == "None")
                continue;
            if (!Enum.TryParse<PgoFlags>(word, ignoreCase: false, out var flag) || !Enum.IsDefined(flag))
                throw new FormatException(
                    $"{call.Name}: unknown flag '{word}' (known: {string.Join(", ", Enum.GetNames<PgoFlags>())})"
                );
            flags |= flag;
        }
        return flags;
    }

    private static Interference InterferenceOf(CallNode call)
    {
        var node = call.TryArg("interference");
        if (node is null)
            return Interference.None;
        if (node is not ListNode list)
            throw new FormatException(
                $"{call.Name}: interference must be a list like [Free(here)+Insert(0x1000), IoError]"
            );
        var wakes = new List<Act[]>();
        foreach (var item in list.Items)
        {
            var acts = item is ChainNode chain ? chain.Items : [item];
            var wake = new Act[acts.Count];
            for (int i = 0; i < acts.Count; i++)
                wake[i] = ActOf(call, acts[i]);
            wakes.Add(wake);
        }
        return new Interference(wakes);
    }

    private static Act ActOf(CallNode call, SyntaxNode node)
    {
        if (node is WordNode { Word: "IoError" })
            return new Act(ActKind.IoError, 0);
        if (node is WordNode { Word: "Again" })
            return new Act(ActKind.Again, 0);
        if (
            node is not CallNode { Args.Count: 1 } act
            || !Enum.TryParse<ActKind>(act.Name, out var kind)
            || !new Act(kind, 0).HasOffset
        )
            throw new FormatException(
                $"{call.Name}: interference acts are Free(off), Insert(off), Busy(off), Unbusy(off), Dirty(off), IoError and Again"
            );
        long off = act.Args[0].Value switch
        {
            WordNode { Word: "here" } => Act.Here,
            NumberNode n when n.Value <= long.MaxValue && K.IsPageAligned((long)n.Value) => (long)n.Value,
            _ => throw new FormatException($"{call.Name}: {act.Name} takes 'here' or a page-aligned offset"),
        };
        return new Act(kind, off);
    }

    private static long Long(CallNode call, string key)
    {
        ulong value = Unsigned(call, key);
        if (value > long.MaxValue)
            throw new FormatException($"{call.Name}: {key} is too large");
        return (long)value;
    }

    private static ulong Unsigned(CallNode call, string key) =>
        call.Arg(key) is NumberNode n ? n.Value : throw new FormatException($"{call.Name}: {key} must be a number");

    private static bool Bool(CallNode call, SyntaxNode node) =>
        node is WordNode { Word: "true" or "false" } w
            ? w.Word == "true"
            : throw new FormatException($"{call.Name}: fail must be true or false");
}
