using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>
/// An operation on the pmap layer: data only. ToString prints replay syntax and
/// <see cref="PmapOpParser"/> reads it back. Addresses are hex, protections <c>rw_</c> strings.
/// </summary>
public abstract record PmapOp
{
    protected static string Hex(ulong value) => "0x" + value.ToString("x");

    protected static string P(Prot prot) => ProtText.Of(prot);
}

/// <summary>uvm_fault's pmap_enter (PMAP_CANFAIL always), then the retried access when access is not empty.</summary>
public sealed record Enter(int Pmap, ulong Va, int Page, Prot Prot, Prot Access, bool Wired = false, bool Fail = false)
    : PmapOp
{
    public override string ToString() =>
        $"Enter(pmap: {Pmap}, va: {Hex(Va)}, page: {Page}, prot: {P(Prot)}, access: {P(Access)}"
        + (Wired ? ", wired: true" : "")
        + (Fail ? ", fail: true" : "")
        + ")";
}

public sealed record Remove(int Pmap, ulong Sva, ulong Eva) : PmapOp
{
    public override string ToString() => $"Remove(pmap: {Pmap}, sva: {Hex(Sva)}, eva: {Hex(Eva)})";
}

public sealed record Protect(int Pmap, ulong Sva, ulong Eva, Prot Prot) : PmapOp
{
    public override string ToString() => $"Protect(pmap: {Pmap}, sva: {Hex(Sva)}, eva: {Hex(Eva)}, prot: {P(Prot)})";
}

/// <summary>The pagedaemon's pmap_page_protect: prot is ___ or r__.</summary>
public sealed record PageProtect(int Page, Prot Prot) : PmapOp
{
    public override string ToString() => $"PageProtect(page: {Page}, prot: {P(Prot)})";
}

/// <summary>uvm_fault_unwire of one page.</summary>
public sealed record Unwire(int Pmap, ulong Va) : PmapOp
{
    public override string ToString() => $"Unwire(pmap: {Pmap}, va: {Hex(Va)})";
}

public sealed record Extract(int Pmap, ulong Va) : PmapOp
{
    public override string ToString() => $"Extract(pmap: {Pmap}, va: {Hex(Va)})";
}

public enum PageQuery : byte
{
    IsReferenced,
    IsModified,
    ClearReference,
    ClearModify,
}

/// <summary>pmap_is_referenced, pmap_is_modified, pmap_clear_reference, pmap_clear_modify.</summary>
public sealed record PageOp(PageQuery Query, int Page) : PmapOp
{
    public override string ToString() => $"{Query}(page: {Page})";
}

/// <summary>A thread of the pmap's process is switched in on the CPU.</summary>
public sealed record Activate(int Cpu, int Pmap) : PmapOp
{
    public override string ToString() => $"Activate(cpu: {Cpu}, pmap: {Pmap})";
}

/// <summary>The CPU switches to a kernel thread.</summary>
public sealed record Deactivate(int Cpu) : PmapOp
{
    public override string ToString() => $"Deactivate(cpu: {Cpu})";
}

/// <summary>A user access (one of r, w, x) by the thread running on the CPU.</summary>
public sealed record Access(int Cpu, ulong Va, Prot Kind) : PmapOp
{
    public override string ToString() => $"Access(cpu: {Cpu}, va: {Hex(Va)}, kind: {P(Kind)})";
}

/// <summary>
/// The process exits; <paramref name="Wired"/> has bit i set when map entry i is wired (its pages are
/// unwired before the removal); another CPU's PV walk optionally runs inside its teardown.
/// </summary>
public sealed record Exit(int Pmap, PvWalk? Walk = null, int Wired = 0) : PmapOp
{
    public override string ToString() =>
        (
            Walk is null
                ? $"Exit(pmap: {Pmap}"
                : $"Exit(pmap: {Pmap}, at: {Walk.Point}, walk: {Walk.Kind}, page: {Walk.Page}"
        ) + (Wired == 0 ? ")" : $", wired: [{WiredList()}])");

    private string WiredList()
    {
        var entries = new List<int>();
        for (int i = 0; i < PmapWorld.Entries.Length; i++)
        {
            if ((Wired >> i & 1) != 0)
                entries.Add(i);
        }
        return string.Join(", ", entries);
    }
}

/// <summary>A new process in a dead slot.</summary>
public sealed record Exec(int Pmap) : PmapOp
{
    public override string ToString() => $"Exec(pmap: {Pmap})";
}
