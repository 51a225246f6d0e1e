using UvmDiff.Harness.Core;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>
/// Reads pmap ops back from replay syntax and checks what a caller must guarantee: known pmaps, CPUs
/// and pages, page-aligned addresses inside the processes' map entries, ranges inside one entry, an
/// access type contained in the protection, protections uvm enters. Problems are FormatExceptions.
/// </summary>
public static class PmapOpParser
{
    public static PmapOp Parse(string line)
    {
        var call = OpSyntax.ParseCall(line);
        return call.Name switch
        {
            "Enter" => EnterOf(call),
            "Remove" => RangeOf(call, (pm, s, e) => new Remove(pm, s, e)),
            "Protect" => RangeOf(call, (pm, s, e) => new Protect(pm, s, e, ProtOf(call, "prot"))),
            "PageProtect" => PageProtectOf(call),
            "Unwire" => new Unwire(Index(call, "pmap", PmapWorld.Pmaps), Va(call, "va")),
            "Extract" => new Extract(Index(call, "pmap", PmapWorld.Pmaps), Va(call, "va")),
            "IsReferenced" or "IsModified" or "ClearReference" or "ClearModify" => new PageOp(
                Enum.Parse<PageQuery>(call.Name),
                Index(call, "page", PmapWorld.Pages)
            ),
            "Activate" => new Activate(Index(call, "cpu", PmapWorld.Cpus), Index(call, "pmap", PmapWorld.Pmaps)),
            "Deactivate" => new Deactivate(Index(call, "cpu", PmapWorld.Cpus)),
            "Access" => AccessOf(call),
            "Exit" => ExitOf(call),
            "Exec" => new Exec(Index(call, "pmap", PmapWorld.Pmaps)),
            _ => throw new FormatException($"unknown operation '{call.Name}'"),
        };
    }

    private static Enter EnterOf(CallNode call)
    {
        var prot = ProtOf(call, "prot");
        var access = ProtOf(call, "access");
        if (prot is Prot.None or Prot.Write)
            throw new FormatException(
                $"Enter: prot {ProtText.Of(prot)} is not one uvm enters (write-only mappings are outside the model)"
            );
        if ((access & ~prot) != 0)
            throw new FormatException($"Enter: access {ProtText.Of(access)} is not within prot {ProtText.Of(prot)}");
        return new Enter(
            Index(call, "pmap", PmapWorld.Pmaps),
            Va(call, "va"),
            Index(call, "page", PmapWorld.Pages),
            prot,
            access,
            Flag(call, "wired"),
            Flag(call, "fail")
        );
    }

    private static PageProtect PageProtectOf(CallNode call)
    {
        var prot = ProtOf(call, "prot");
        if (prot is not (Prot.None or Prot.Read))
            throw new FormatException("PageProtect: prot must be ___ or r__ (what MI callers pass)");
        return new PageProtect(Index(call, "page", PmapWorld.Pages), prot);
    }

    private static Access AccessOf(CallNode call)
    {
        var kind = ProtOf(call, "kind");
        if (kind is not (Prot.Read or Prot.Write or Prot.Exec))
            throw new FormatException("Access: kind must be one of r__, _w_, __x");
        return new Access(Index(call, "cpu", PmapWorld.Cpus), Va(call, "va"), kind);
    }

    private static Exit ExitOf(CallNode call)
    {
        int pmap = Index(call, "pmap", PmapWorld.Pmaps);
        int wired = WiredOf(call);
        if (call.TryArg("walk") is null)
            return new Exit(pmap, null, wired);
        string kind = call.Arg("walk") is WordNode w ? w.Word : throw new FormatException("Exit: walk must be a name");
        if (!Enum.TryParse<PvWalkKind>(kind, out var walkKind) || !Enum.IsDefined(walkKind))
            throw new FormatException(
                $"Exit: unknown walk '{kind}' (ClearReference, ClearModify, ProtectRead, ProtectNone)"
            );
        return new Exit(pmap, new PvWalk(Index(call, "at", 64), walkKind, Index(call, "page", PmapWorld.Pages)), wired);
    }

    /// <summary>The wired entries, as a list of entry indexes: <c>wired: [0, 2]</c>.</summary>
    private static int WiredOf(CallNode call)
    {
        var node = call.TryArg("wired");
        if (node is null)
            return 0;
        if (node is not ListNode list)
            throw new FormatException("Exit: wired must be a list of entry indexes like [0, 2]");
        int wired = 0;
        foreach (var item in list.Items)
        {
            if (item is not NumberNode n || n.Value >= (ulong)PmapWorld.Entries.Length)
                throw new FormatException($"Exit: wired entries are numbered 0..{PmapWorld.Entries.Length - 1}");
            wired |= 1 << (int)n.Value;
        }
        return wired;
    }

    private static PmapOp RangeOf(CallNode call, Func<int, ulong, ulong, PmapOp> make)
    {
        int pmap = Index(call, "pmap", PmapWorld.Pmaps);
        ulong sva = Aligned(call, "sva");
        ulong eva = Aligned(call, "eva");
        if (PmapWorld.EntryOf(sva, eva) < 0)
            throw new FormatException(
                $"{call.Name}: [0x{sva:x}, 0x{eva:x}) is not a non-empty range inside one map entry"
            );
        return make(pmap, sva, eva);
    }

    private static ulong Va(CallNode call, string key)
    {
        ulong va = Aligned(call, key);
        if (PmapWorld.EntryOf(va, va + PmapWorld.PageSize) < 0)
            throw new FormatException($"{call.Name}: {key} 0x{va:x} is not inside a map entry");
        return va;
    }

    private static ulong Aligned(CallNode call, string key)
    {
        ulong value = Number(call, key);
        if ((value & (PmapWorld.PageSize - 1)) != 0)
            throw new FormatException($"{call.Name}: {key} 0x{value:x} is not page-aligned");
        return value;
    }

    private static int Index(CallNode call, string key, int count)
    {
        ulong value = Number(call, key);
        if (value >= (ulong)count)
            throw new FormatException($"{call.Name}: {key} {value} is out of range (0..{count - 1})");
        return (int)value;
    }

    private static ulong Number(CallNode call, string key) =>
        call.Arg(key) is NumberNode n ? n.Value : throw new FormatException($"{call.Name}: {key} must be a number");

    private static Prot ProtOf(CallNode call, string key)
    {
        string text = call.Arg(key) switch
        {
            WordNode w => w.Word,
            _ => throw new FormatException($"{call.Name}: {key} must be written like rw_ or ___"),
        };
        return ProtText.Parse(text) ?? throw new FormatException($"{call.Name}: {key} '{text}' is not like rw_");
    }

    private static bool Flag(CallNode call, string key) =>
        call.TryArg(key) switch
        {
            null => false,
            WordNode { Word: "true" } => true,
            WordNode { Word: "false" } => false,
            _ => throw new FormatException($"{call.Name}: {key} must be true or false"),
        };
}
