namespace UvmDiff.Implementations.Pmap;

/// <summary>A machine's own structures as text, for the per-architecture snapshots: tables, PV lists, TLBs.</summary>
public interface IPmapDump
{
    IReadOnlyList<string> Dump();
}
