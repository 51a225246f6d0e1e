using UvmDiff.Spec.Kernel;

namespace UvmDiff.Spec.Pmap;

/// <summary>
/// The reference pmap: per pmap a flat table VA -> (page, protection, wired); referenced and modified
/// per physical page, surviving unmap as <c>pmap_is_modified</c> does; the PV relation derived from the
/// tables; which process each CPU runs. No page tables, no TLB: an access is answered from the current
/// table through the architecture's <see cref="PmapProfile"/>. Slow and plain on purpose.
/// Contracts are those of uvm_pmap.h 1.37 as uvm-semantics.md sections 5 and 9 state them.
/// </summary>
public sealed class ReferencePmap(PmapProfile profile) : IPmapMachine
{
    private readonly record struct Mapping(int Page, Prot Prot, bool Wired);

    private readonly Dictionary<ulong, Mapping>[] _tables = NewTables();
    private readonly bool[] _alive = new bool[PmapWorld.Pmaps];
    private readonly int[] _current = new int[PmapWorld.Cpus];
    private readonly bool[] _referenced = new bool[PmapWorld.Pages];
    private readonly bool[] _modified = new bool[PmapWorld.Pages];
    private readonly int[] _wireCount = new int[PmapWorld.Pages];
    private readonly List<ulong> _scratch = [];
    private readonly TeardownFacts _facts = new();
    private bool _teardownChanged;

    public PmapProfile Profile { get; } = profile;

    public Arch Arch => Profile.Arch;

    public TeardownCounters LastTeardown { get; private set; }

    private static Dictionary<ulong, Mapping>[] NewTables()
    {
        var tables = new Dictionary<ulong, Mapping>[PmapWorld.Pmaps];
        for (int i = 0; i < tables.Length; i++)
            tables[i] = [];
        return tables;
    }

    /// <summary>Calls that may have changed what <see cref="Walk"/> reports, counted since construction.</summary>
    public long Changes { get; private set; }

    public long CpuChanges { get; private set; }

    public void Reset()
    {
        Changes++;
        foreach (var table in _tables)
            table.Clear();
        Array.Fill(_alive, true);
        Array.Fill(_current, IPmapMachine.NoPmap);
        Array.Clear(_referenced);
        Array.Clear(_modified);
        Array.Clear(_wireCount);
        LastTeardown = default;
    }

    public bool IsAlive(int pmap) => _alive[pmap];

    public int CurrentOn(int cpu) => _current[cpu];

    /// <summary>
    /// pmap_enter with the fault's access type, CANFAIL, and WIRED when the fault wires.
    /// => replaces any mapping at va; the new one is wired exactly when WIRED is passed
    /// => an unchanged (page, prot) on a machine with <see cref="PmapProfile.SameEnterKeepsWiring"/> succeeds without touching anything
    /// => on injected failure: ENOMEM, the old mapping gone where <see cref="PmapProfile.FailedEnterRemovesOld"/>
    /// => on success with an access: the page is referenced, and modified for a write
    /// => on success with WIRED: uvm_fault_wire wires the page (wire count + 1)
    /// </summary>
    public int Enter(int pmap, ulong va, int page, Prot prot, Prot access, bool wired, bool failAlloc)
    {
        Changes++;
        K.Kassert((access & ~prot) == 0, "(access_type & ~prot) == 0");
        var table = _tables[pmap];
        bool hasOld = table.TryGetValue(va, out var old);
        bool unchanged = hasOld && old.Page == page && old.Prot == prot;
        if (!(unchanged && Profile.SameEnterKeepsWiring))
        {
            if (failAlloc)
            {
                if (hasOld && Profile.FailedEnterRemovesOld)
                    table.Remove(va);
                return IPmapMachine.Enomem;
            }
            table[va] = new Mapping(page, prot, wired);
        }
        if (access != Prot.None)
            Touch(page, access);
        if (wired)
            _wireCount[page]++;
        return 0;
    }

    /// <summary>pmap_remove: => no mapping in [sva, eva) remains; ref/mod stay with the pages</summary>
    public void Remove(int pmap, ulong sva, ulong eva)
    {
        foreach (ulong va in VasIn(pmap, sva, eva))
        {
            _tables[pmap].Remove(va);
            Changes++;
        }
    }

    /// <summary>
    /// pmap_protect: never grants. => without READ and EXEC: a removal (PROT_NONE everywhere, WRITE-only
    /// only where <see cref="PmapProfile.ProtectWriteOnlyRemoves"/>); with WRITE on amd64: nothing;
    /// otherwise each mapping keeps old ∩ prot, less WRITE where <see cref="PmapProfile.ProtectStripsWrite"/>
    /// </summary>
    public void Protect(int pmap, ulong sva, ulong eva, Prot prot)
    {
        Changes++;
        if ((prot & (Prot.Read | Prot.Exec)) == 0)
        {
            if (prot == Prot.None || Profile.ProtectWriteOnlyRemoves)
                Remove(pmap, sva, eva);
            return;
        }
        if ((prot & Prot.Write) != 0 && !Profile.ProtectStripsWrite)
            return;
        var keep = Profile.ProtectStripsWrite ? prot & ~Prot.Write : prot;
        var table = _tables[pmap];
        foreach (ulong va in VasIn(pmap, sva, eva))
            table[va] = table[va] with { Prot = table[va].Prot & keep };
    }

    /// <summary>
    /// pmap_page_protect. => NONE: every mapping of the page, in every pmap, is gone (wired ones too);
    /// READ: every mapping loses WRITE (and EXEC unless <see cref="PmapProfile.PageProtectReadKeepsExec"/>)
    /// </summary>
    public void PageProtect(int page, Prot prot)
    {
        Changes++;
        K.Kassert(prot is Prot.None or Prot.Read, "prot == PROT_NONE || prot == PROT_READ");
        var keep = Profile.PageProtectReadKeepsExec ? Prot.Read | Prot.Exec : Prot.Read;
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            var table = _tables[pmap];
            foreach (ulong va in VasOf(pmap, page))
            {
                if (prot == Prot.None)
                    table.Remove(va);
                else
                    table[va] = table[va] with { Prot = table[va].Prot & keep };
            }
        }
    }

    /// <summary>
    /// uvm_fault_unwire of one page (uvm_fault_unwire_locked's step for one VA).
    /// => no mapping: nothing (pmap_extract fails, the page is skipped)
    /// => the page found is not wired: false, nothing changed (the caller unwires only what it wired)
    /// => otherwise pmap_unwire: a wired mapping becomes unwired (an unwired one stays as it is: amd64's
    ///    pmap_unwire only prints "didn't change", arm64's tests the bit); then uvm_pageunwire: the page's
    ///    wire count - 1, whatever the mapping's bit was
    /// </summary>
    public bool Unwire(int pmap, ulong va)
    {
        Changes++;
        var table = _tables[pmap];
        if (!table.TryGetValue(va, out var mapping))
            return true;
        if (_wireCount[mapping.Page] == 0)
            return false;
        table[va] = mapping with { Wired = false };
        _wireCount[mapping.Page]--;
        return true;
    }

    public int Extract(int pmap, ulong va) => _tables[pmap].TryGetValue(va, out var m) ? m.Page : -1;

    public bool IsReferenced(int page) => _referenced[page];

    public bool IsModified(int page) => _modified[page];

    public int WireCount(int page) => _wireCount[page];

    public void ClearReference(int page)
    {
        Changes++;
        _referenced[page] = false;
    }

    public void ClearModify(int page)
    {
        Changes++;
        _modified[page] = false;
    }

    public void PageAllocated(int page)
    {
        if (_referenced[page] || _modified[page])
            Changes++;
        _referenced[page] = _modified[page] = false;
    }

    public void Activate(int cpu, int pmap)
    {
        Changes++;
        CpuChanges++;
        _current[cpu] = pmap;
        _teardownChanged = true;
    }

    public void Deactivate(int cpu)
    {
        Changes++;
        CpuChanges++;
        _current[cpu] = IPmapMachine.NoPmap;
    }

    /// <summary>
    /// A user access. => no process on the CPU: <see cref="IPmapMachine.NoProcess"/>; no mapping, or
    /// one whose profile grants do not include the access: <see cref="IPmapMachine.Fault"/>; otherwise
    /// the page, now referenced (and modified by a write)
    /// </summary>
    public int Access(int cpu, ulong va, Prot access)
    {
        int pmap = _current[cpu];
        if (pmap == IPmapMachine.NoPmap)
            return IPmapMachine.NoProcess;
        if (!_tables[pmap].TryGetValue(va, out var mapping))
            return IPmapMachine.Fault;
        if ((Profile.Grants[(int)mapping.Prot] & access) != access)
            return IPmapMachine.Fault;
        if (!_referenced[mapping.Page] || ((access & Prot.Write) != 0 && !_modified[mapping.Page]))
            Changes++;
        Touch(mapping.Page, access);
        return mapping.Page;
    }

    /// <summary>
    /// Exit: the threads leave their CPUs; every page mapped in a wired entry is unwired as
    /// <see cref="Unwire"/> does (uvm_unmap_kill_entry: uvm_fault_unwire_locked over the entry); every
    /// mapping is removed; the pmap is destroyed. An interleaved PV walk takes effect after the teardown:
    /// every point of it gives the same final state, since the walk and the teardown touch the dying
    /// pmap's mappings of the page in either order to the same end.
    /// </summary>
    public void Exit(int pmap, ReadOnlySpan<MapSpan> entries, PvWalk? interleaved)
    {
        Changes++;
        _teardownChanged = true;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_current[cpu] == pmap)
                _current[cpu] = IPmapMachine.NoPmap;
        }
        var table = _tables[pmap];
        var counters = default(TeardownCounters);
        foreach (var entry in entries)
        {
            counters.Lookups += table.Count;
            foreach (ulong va in VasIn(pmap, entry.Start, entry.End))
            {
                counters.PtesVisited++;
                if (entry.Wired)
                    Unwire(pmap, va);
                table.Remove(va);
            }
        }
        K.Kassert(table.Count == 0, "pmap_destroy: no mappings remain");
        LastTeardown = counters;
        _alive[pmap] = false;
        if (interleaved is not null)
            RunPvWalk(interleaved);
    }

    public void Exec(int pmap)
    {
        Changes++;
        K.Kassert(!_alive[pmap], "a new process takes a dead slot");
        _teardownChanged = true;
        _alive[pmap] = true;
    }

    public void Walk(IPmapFactSink sink)
    {
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
            sink.Cpu(cpu, _current[cpu]);
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            int wired = 0;
            foreach (var (va, m) in _tables[pmap])
            {
                sink.Mapping(pmap, va, m.Page, Profile.Grants[(int)m.Prot], m.Wired);
                sink.Pv(m.Page, pmap, va);
                if (m.Wired)
                    wired++;
            }
            sink.Pmap(pmap, _alive[pmap], _tables[pmap].Count, wired);
        }
        for (int page = 0; page < PmapWorld.Pages; page++)
            sink.Page(page, _referenced[page], _modified[page], _wireCount[page]);
    }

    /// <summary>
    /// The teardown invariants (<see cref="TeardownFacts"/>) over the reference's own facts: after every
    /// exit, exec and switch (the ops that can break them), and on every full check.
    /// </summary>
    public string? CheckInvariants(bool full)
    {
        if (!full && !_teardownChanged)
            return null;
        _teardownChanged = false;
        _facts.Begin();
        Walk(_facts);
        return _facts.Verdict();
    }

    private void RunPvWalk(PvWalk walk)
    {
        switch (walk.Kind)
        {
            case PvWalkKind.ClearReference:
                ClearReference(walk.Page);
                break;
            case PvWalkKind.ClearModify:
                ClearModify(walk.Page);
                break;
            case PvWalkKind.ProtectRead:
                PageProtect(walk.Page, Prot.Read);
                break;
            default:
                PageProtect(walk.Page, Prot.None);
                break;
        }
    }

    private void Touch(int page, Prot access)
    {
        _referenced[page] = true;
        if ((access & Prot.Write) != 0)
            _modified[page] = true;
    }

    private List<ulong> VasIn(int pmap, ulong sva, ulong eva)
    {
        _scratch.Clear();
        foreach (ulong va in _tables[pmap].Keys)
        {
            if (sva <= va && va < eva)
                _scratch.Add(va);
        }
        return _scratch;
    }

    private List<ulong> VasOf(int pmap, int page)
    {
        _scratch.Clear();
        foreach (var (va, m) in _tables[pmap])
        {
            if (m.Page == page)
                _scratch.Add(va);
        }
        return _scratch;
    }
}
