namespace UvmDiff.Spec.Map;

/// <summary>
/// One process's vm_map as the map layer drives it: the reference (<see cref="ReferenceMap"/>) and every
/// implementation expose the same calls. Each returns null for success or an errno name; a kernel
/// panic is a <see cref="Kernel.KernelPanic"/>.
/// </summary>
public interface IVmMapMachine
{
    void Reset();

    string? MapFixed(ulong addr, ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset);

    string? MapAnywhere(ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset, out ulong addr);

    string? Unmap(ulong addr, ulong size);

    string? Protect(ulong start, ulong end, Prot prot);

    string? SetInherit(ulong start, ulong end, Inherit inheritance);

    string? Immutable(ulong start, ulong end);

    string? Advise(ulong start, ulong end, Advice advice);

    string? Pageable(ulong start, ulong end, bool unwire);

    /// <summary>uvm_fault with one access type: <paramref name="access"/> is R, W or X.</summary>
    string? Fault(ulong va, Prot access);

    /// <summary>
    /// uvmspace_fork of this map into <paramref name="child"/>, an empty map of the same kind and kernel
    /// (one <see cref="AnonPool"/>).
    /// </summary>
    void Fork(IVmMapMachine child);

    /// <summary>uvm_map_teardown and uvm_unmap_detach: every entry killed and detached; the map is empty after.</summary>
    void Teardown();

    /// <summary>Report every fact of the observation.</summary>
    void Walk(IMapObserver observer);

    /// <summary>
    /// uvm_map_lookup_entry, then amap_lookup in the entry's amap: what a walk reports for the page at
    /// <paramref name="va"/>, read without walking. => false when no entry maps va (a HOLE maps nothing);
    /// otherwise the entry, the anon its amap holds for va's page (0 for none) with that anon's an_ref,
    /// and whether the amap is AMAP_SHARED. Reads only: not counted in <see cref="Changes"/>.
    /// </summary>
    bool Lookup(ulong va, out EntryFacts entry, out int anon, out int anonRefs, out bool amapShared);

    /// <summary>uo_refs of file object <paramref name="obj"/> as this map counts them (its Object fact): one for the file, one per entry.</summary>
    int ObjectRefs(int obj);

    /// <summary>The layer invariant (uvm_tree_sanity) and the structure's own checks: null or the first violation.</summary>
    string? Check();

    /// <summary>The sum of the fact hashes of <see cref="Walk"/>, kept however the machine likes.</summary>
    ulong Fingerprint();

    /// <summary>Entries in the map.</summary>
    int Count { get; }

    /// <summary>
    /// Moves with every change to the map's entries, size, object references and object pages (its own
    /// facts and everything its check reads): the reference counts every call above but Walk, Check and
    /// Fingerprint (fork on the child too), the tree maps each change their setters make, so a call that
    /// changed nothing (a refused fault, an mprotect to the protection there already) may leave it. Never
    /// goes back, not even at Reset: a check or a fingerprint taken at one count still holds while the
    /// count stays there.
    /// </summary>
    long Changes { get; }
}

/// <summary>The reference machine: the sorted list and the routines of Spec/Map.</summary>
public sealed class ReferenceMap : IVmMapMachine
{
    private readonly MapFactSum _sum = new();

    /// <param name="pool">The kernel's amap and anon numbers; null: the map's own.</param>
    public ReferenceMap(AnonPool? pool = null) => Map = new VmMap(pool);

    public VmMap Map { get; }

    public int Count => Map.Entries.Count;

    public long Changes { get; private set; }

    /// <summary>The map, counted as changed: every routine that may change it reaches it through here.</summary>
    private VmMap Changing()
    {
        Changes++;
        return Map;
    }

    public void Reset() => Changing().Reset();

    public string? MapFixed(ulong addr, ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset) =>
        Mapping.MapFixed(Changing(), addr, size, prot, max, kind, obj, offset);

    public string? MapAnywhere(ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset, out ulong addr) =>
        Mapping.MapAnywhere(Changing(), size, prot, max, kind, obj, offset, out addr);

    public string? Unmap(ulong addr, ulong size) => Mapping.Unmap(Changing(), addr, size);

    public string? Protect(ulong start, ulong end, Prot prot) => Attributes.Protect(Changing(), start, end, prot);

    public string? SetInherit(ulong start, ulong end, Inherit inheritance) =>
        Attributes.SetInherit(Changing(), start, end, inheritance);

    public string? Immutable(ulong start, ulong end) => Attributes.Immutable(Changing(), start, end);

    public string? Advise(ulong start, ulong end, Advice advice) => Attributes.Advise(Changing(), start, end, advice);

    public string? Pageable(ulong start, ulong end, bool unwire) =>
        Spec.Map.Pageable.Run(Changing(), start, end, unwire);

    public string? Fault(ulong va, Prot access) => Faults.Fault(Changing(), va, access);

    public void Fork(IVmMapMachine child) => Spec.Map.Fork.Run(Changing(), ((ReferenceMap)child).Changing());

    public void Teardown() => Mapping.Teardown(Changing());

    public void Walk(IMapObserver observer) => Map.Walk(observer);

    public bool Lookup(ulong va, out EntryFacts entry, out int anon, out int anonRefs, out bool amapShared)
    {
        foreach (var e in Map.Entries)
        {
            if (e.IsHole || va < e.Start || va >= e.End)
                continue;
            entry = e.Facts();
            var found = e.Amap?.Slots[e.PageOff + (int)((va - e.Start) >> MapConst.PageShift)];
            (anon, anonRefs, amapShared) = (found?.Id ?? 0, found?.Refs ?? 0, e.Amap?.Shared ?? false);
            return true;
        }
        (entry, anon, anonRefs, amapShared) = (default, 0, 0, false);
        return false;
    }

    public int ObjectRefs(int obj) => Map.ObjectRefs[obj];

    public string? Check() => Sanity.Check(Map);

    public ulong Fingerprint()
    {
        _sum.Begin();
        Map.Walk(_sum);
        return _sum.Sum;
    }
}
