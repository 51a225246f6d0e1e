using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Implementations.Pmap.Amd64;

/// <summary>How an amd64 process's pmap goes away at exit.</summary>
public enum Amd64Teardown
{
    /// <summary>uvm_map_teardown's per-entry pmap_remove through pmap_do_remove, then pmap_destroy.</summary>
    Kernel,

    /// <summary>Ours: visit only live entries through each table's live-entry summary, free tables bottom-up, one flush.</summary>
    Sparse,
}

/// <summary>
/// A simulated amd64 pmap (pmap.c 1.182): four levels of 512 entries with pte.h bits, PTPs whose wire
/// count is 1 + live entries and which count in resident_count, page tracking (PV lists, or seed 003's
/// reverse lookup through the maps: <see cref="PageTracking"/>), A/D bits set by the simulated
/// hardware, and per-CPU TLBs (untagged: all user pmaps share PCID_PROC and a CR3 load flushes it)
/// invalidated by shootdowns to the CPUs whose ci_proc_pmap the pmap is. Where uvm-semantics.md and
/// the source disagree the source wins; the places are noted where they are coded.
/// </summary>
public sealed partial class Amd64Pmap : IPmapMachine
{
    private const int TlbSize = 8;
    private const ulong FrameBase = 0x1_0000_0000;
    private const int RefAttr = 1;
    private const int ModAttr = 2;

    /// <summary>pmap_do_remove: more pages than this get a full flush (pmap.c's "32").</summary>
    private const int FlushAllThreshold = 32;

    private readonly bool _noRemoteShootdown,
        _ptpFreedEarly,
        _ptpWireOffByOne,
        _noRemoveSync,
        _blockRounding,
        _replaceKeepsPv,
        _summaryStale;
    private readonly Amd64Teardown _teardown;

    private readonly List<Ptp> _frames = [];
    private readonly Stack<Ptp> _freeFrames = new();
    private readonly Ptp?[] _pml4 = new Ptp?[PmapWorld.Pmaps];
    private readonly long[] _resident = new long[PmapWorld.Pmaps];
    private readonly long[] _wired = new long[PmapWorld.Pmaps];
    private readonly bool[] _alive = new bool[PmapWorld.Pmaps];
    private readonly string?[] _statsAtDestroy = new string?[PmapWorld.Pmaps];

    private readonly PageTracking _tracking;
    private readonly int[] _attrs = new int[PmapWorld.Pages];
    private readonly int[] _wireCount = new int[PmapWorld.Pages];

    private readonly int[] _procPmap = new int[PmapWorld.Cpus];

    /// <summary>Each CPU's TLB, <see cref="TlbSize"/> entries from cpu * TlbSize.</summary>
    private readonly TlbEntry[] _tlb = new TlbEntry[PmapWorld.Cpus * TlbSize];
    private readonly int[] _tlbNext = new int[PmapWorld.Cpus];

    private readonly List<Ptp> _freedPtps = [];
    private readonly List<ulong> _shootVas = [];
    private TeardownCounters _counters;
    private bool _counting;

    private PvWalk? _walk;
    private int _walkPoints;

    /// <param name="tracking">How a page's mappings are found: pmap.c's PV lists unless given.</param>
    public Amd64Pmap(FaultSet faults, Amd64Teardown teardown, PageTracking? tracking = null)
    {
        _tracking = tracking ?? new PvLists();
        _teardown = teardown;
        _noRemoteShootdown = faults.Has(PmapFaults.ShootdownSkipsRemote);
        _ptpFreedEarly = faults.Has(PmapFaults.PtpFreedBeforeShootdown);
        _ptpWireOffByOne = faults.Has(PmapFaults.PtpWireOffByOne);
        _noRemoveSync = faults.Has(PmapFaults.RefModNotSynced);
        _blockRounding = faults.Has(PmapFaults.BlockRounding);
        _replaceKeepsPv = faults.Has(PmapFaults.ReplaceKeepsOldPv);
        _summaryStale = faults.Has(PmapFaults.SparseSummaryStale) && teardown == Amd64Teardown.Sparse;
    }

    public Arch Arch => Arch.Amd64;

    public long[] Probes { get; } = new long[PmapProbes.Names.Length];

    public TeardownCounters LastTeardown => _counters;

    public PageTracking Tracking => _tracking;

    public long Changes { get; private set; }

    public long CpuChanges { get; private set; }

    public void Reset()
    {
        Changes++;
        Array.Clear(_tlb);
        _freedPtps.Clear();
        _shootVas.Clear();
        _shootAll = false;
        foreach (var ptp in _frames)
        {
            if (!ptp.Free)
                ReleaseFrame(ptp);
        }
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
            Create(pmap);
        _tracking.Reset();
        Array.Clear(_attrs);
        Array.Clear(_wireCount);
        Array.Fill(_procPmap, IPmapMachine.NoPmap);
        _counters = default;
        _walk = null;
    }

    public bool IsAlive(int pmap) => _alive[pmap];

    public int CurrentOn(int cpu) => _procPmap[cpu];

    /// <summary>pmap_create: the PML4 from pdp_pool, resident_count 1.</summary>
    private void Create(int pmap)
    {
        var pml4 = AllocFrame(pmap, 4);
        pml4.WireCount = 1;
        _pml4[pmap] = pml4;
        _resident[pmap] = 1;
        _wired[pmap] = 0;
        _alive[pmap] = true;
        _statsAtDestroy[pmap] = null;
    }

    public void Exec(int pmap)
    {
        Changes++;
        Create(pmap);
    }

    private Ptp AllocFrame(int pmap, int level)
    {
        Ptp ptp;
        if (_freeFrames.Count > 0)
            ptp = _freeFrames.Pop();
        else
        {
            ptp = new Ptp { Frame = FrameBase + (ulong)_frames.Count * PmapWorld.PageSize };
            _frames.Add(ptp);
        }
        ptp.Free = false;
        ptp.Level = level;
        ptp.Pmap = pmap;
        ptp.Parent = null;
        ptp.WireCount = 0;
        return ptp;
    }

    /// <summary>uvm_pagefree of a table page: the simulated hardware checks no TLB still holds a translation through it.</summary>
    private void ReleaseFrame(Ptp ptp)
    {
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            for (int i = 0; i < TlbSize; i++)
            {
                if (_tlb[cpu * TlbSize + i].Table == ptp)
                    throw new KernelPanic(
                        $"use after free: cpu {cpu}'s TLB still translates through freed page-table page 0x{ptp.Frame:x}"
                    );
            }
        }
        ptp.Zero();
        ptp.Free = true;
        ptp.Parent = null;
        _freeFrames.Push(ptp);
    }

    private Ptp FrameAt(ulong pde) => _frames[(int)(((pde & Pte.Frame) - FrameBase) >> PmapWorld.PageShift)];

    /// <summary>The level-1 PTP of va, or null when a directory entry on the way is invalid (pmap_pdes_valid).</summary>
    internal Ptp? PdesValid(int pmap, ulong va)
    {
        var table = _pml4[pmap]!;
        for (int level = 4; level > 1; level--)
        {
            if (_counting)
                _counters.TableEntriesRead++;
            ulong pde = table.Entries[Pte.Index(va, level)];
            if ((pde & Pte.V) == 0)
                return null;
            table = FrameAt(pde);
        }
        return table;
    }

    /// <summary>pmap_get_ptp: the level-1 PTP of va, allocating missing levels (each +1 resident, +1 on its parent).</summary>
    private Ptp GetPtp(int pmap, ulong va)
    {
        var table = _pml4[pmap]!;
        for (int level = 4; level > 1; level--)
        {
            int index = Pte.Index(va, level);
            ulong pde = table.Entries[index];
            if ((pde & Pte.V) == 0)
            {
                Probes[PmapProbes.PtpAllocated]++;
                var child = AllocFrame(pmap, level - 1);
                child.WireCount = _ptpWireOffByOne && level == 2 ? 0 : 1;
                child.Parent = table;
                child.ParentIndex = index;
                table.Entries[index] = child.Frame | Pte.V | Pte.RW | Pte.User;
                table.Mark(index);
                table.WireCount++;
                _resident[pmap]++;
                table = child;
            }
            else
                table = FrameAt(pde);
        }
        return table;
    }

    private void SyncFlags(int page, ulong pte)
    {
        if ((pte & Pte.Accessed) != 0)
            _attrs[page] |= RefAttr;
        if ((pte & Pte.Modified) != 0)
            _attrs[page] |= ModAttr;
    }

    /// <summary>PHYS_TO_VM_PAGE: the data page a PTE's frame holds.</summary>
    internal static int PageOfPte(ulong pte) => (int)(((pte & Pte.Frame) - PmapWorld.PageBase) >> PmapWorld.PageShift);

    /// <summary>
    /// pmap_enter. The PV entry comes from the pool first, on every enter (9.2), so an injected failure
    /// returns ENOMEM with nothing changed. A same-PA replace keeps the PV entry and syncs U/M; a
    /// different PA syncs the old page and unlinks its PV entry; wired moves only when PG_W changes; a
    /// changed valid PTE is shot down. A non-empty access is then made by the simulated hardware on the
    /// table, setting U (and M), since amd64 never presets them (9.2).
    /// </summary>
    public int Enter(int pmap, ulong va, int page, Prot prot, Prot access, bool wired, bool failAlloc)
    {
        Changes++;
        if (failAlloc)
            return IPmapMachine.Enomem;
        var ptp = GetPtp(pmap, va);
        int index = Pte.Index(va, 1);
        ulong opte = ptp.Entries[index];
        ulong npte =
            (PmapWorld.PageBase + (ulong)page * PmapWorld.PageSize)
            | Pte.ProtectionCodes[(int)prot]
            | Pte.V
            | Pte.User
            | Pte.PvList;
        if (wired)
            npte |= Pte.Wired;
        if ((opte & Pte.V) != 0)
        {
            int oldPage = PageOfPte(opte);
            if (oldPage == page)
                SyncFlags(page, opte);
            else
            {
                Probes[PmapProbes.EnterReplace]++;
                SyncFlags(oldPage, opte);
                if (!_replaceKeepsPv)
                    _tracking.Removed(oldPage, pmap, va);
                _tracking.Entered(page, pmap, va, ptp);
            }
            if ((opte & Pte.Wired) != 0 && !wired)
                _wired[pmap]--;
            else if ((opte & Pte.Wired) == 0 && wired)
                _wired[pmap]++;
            ptp.Entries[index] = npte;
            ShootPage(pmap, va);
            ShootWait();
        }
        else
        {
            _resident[pmap]++;
            ptp.WireCount++;
            ptp.Mark(index);
            if (wired)
                _wired[pmap]++;
            _tracking.Entered(page, pmap, va, ptp);
            ptp.Entries[index] = npte;
        }
        if (access != Prot.None)
        {
            ptp.Entries[index] |= Pte.Accessed;
            if ((access & Prot.Write) != 0)
                ptp.Entries[index] |= Pte.Modified;
        }
        if (wired)
            _wireCount[page]++;
        return 0;
    }

    public int Extract(int pmap, ulong va)
    {
        var ptp = PdesValid(pmap, va);
        if (ptp is null)
            return -1;
        ulong pte = ptp.Entries[Pte.Index(va, 1)];
        return (pte & Pte.V) != 0 ? PageOfPte(pte) : -1;
    }

    /// <summary>
    /// uvm_fault_unwire for one page: pmap_extract; pmap_unwire clears PG_W and drops wired_count where
    /// PG_W is set (on a PTE without it, only the DIAGNOSTIC printf "didn't change"); uvm_pageunwire
    /// drops the page's wire count either way. A page that is not wired is refused before any of it.
    /// </summary>
    public bool Unwire(int pmap, ulong va)
    {
        Changes++;
        var ptp = PdesValid(pmap, va);
        if (ptp is null)
            return true;
        int index = Pte.Index(va, 1);
        ulong pte = ptp.Entries[index];
        if ((pte & Pte.V) == 0)
            return true;
        int page = PageOfPte(pte);
        if (_wireCount[page] == 0)
            return false;
        if ((pte & Pte.Wired) != 0)
        {
            ptp.Entries[index] = pte & ~Pte.Wired;
            _wired[pmap]--;
        }
        _wireCount[page]--;
        return true;
    }

    /// <summary>pmap_is_referenced: the cached attribute, else a scan of the page's PTEs that caches a hit.</summary>
    public bool IsReferenced(int page) => TestAttr(page, RefAttr, Pte.Accessed);

    public bool IsModified(int page) => TestAttr(page, ModAttr, Pte.Modified);

    public int WireCount(int page) => _wireCount[page];

    private bool TestAttr(int page, int attr, ulong bit)
    {
        if ((_attrs[page] & attr) != 0)
            return true;
        foreach (var pve in _tracking.Find(this, page))
        {
            if ((pve.Ptp.Entries[Pte.Index(pve.Va, 1)] & bit) != 0)
            {
                _attrs[page] |= attr;
                return true;
            }
        }
        return false;
    }

    public void ClearReference(int page)
    {
        Changes++;
        ClearAttrs(page, RefAttr, Pte.Accessed);
    }

    public void ClearModify(int page)
    {
        Changes++;
        ClearAttrs(page, ModAttr, Pte.Modified);
    }

    /// <summary>The page is unmapped: only the attribute cache in pg_flags can hold REF/MOD.</summary>
    public void PageAllocated(int page)
    {
        if (_attrs[page] != 0)
            Changes++;
        _attrs[page] = 0;
    }

    /// <summary>pmap_clear_attrs: the cached attribute and the bit in every PTE of the page, each changed PTE shot down in its own pmap.</summary>
    private void ClearAttrs(int page, int attr, ulong bit)
    {
        _attrs[page] &= ~attr;
        foreach (var pve in _tracking.Find(this, page))
        {
            int index = Pte.Index(pve.Va, 1);
            ulong pte = pve.Ptp.Entries[index];
            if ((pte & bit) != 0)
            {
                pve.Ptp.Entries[index] = pte & ~bit;
                ShootPage(pve.Pmap, pve.Va);
                ShootWait();
            }
        }
    }

    /// <summary>pmap_activate for curproc: pcb_cr3 loaded (PCID_PROC, no reuse bit: the TLB is flushed), ci_proc_pmap set.</summary>
    public void Activate(int cpu, int pmap)
    {
        Changes++;
        CpuChanges++;
        FlushTlb(cpu);
        _procPmap[cpu] = pmap;
    }

    /// <summary>pmap_deactivate clears ci_proc_pmap; the switch to a kernel thread loads the kernel's CR3, flushing user entries.</summary>
    public void Deactivate(int cpu)
    {
        Changes++;
        CpuChanges++;
        _procPmap[cpu] = IPmapMachine.NoPmap;
        FlushTlb(cpu);
    }

    private void FlushTlb(int cpu)
    {
        Array.Clear(_tlb, cpu * TlbSize, TlbSize);
    }

    /// <summary>
    /// The simulated hardware: a TLB hit that allows the access answers at once; a write through an
    /// entry without D, or a hit that denies, walks again; a walk sets U (and M for a write) in the PTE
    /// and fills the TLB. A present PTE is readable, writable with RW, executable without NX.
    /// </summary>
    public int Access(int cpu, ulong va, Prot access)
    {
        int pmap = _procPmap[cpu];
        if (pmap == IPmapMachine.NoPmap)
            return IPmapMachine.NoProcess;
        ulong vpn = va >> PmapWorld.PageShift;
        for (int i = 0; i < TlbSize; i++)
        {
            ref var entry = ref _tlb[cpu * TlbSize + i];
            if (entry.Table is null || entry.Vpn != vpn)
                continue;
            ulong cached = entry.Pte;
            bool needsWalk = (access & Prot.Write) != 0 && (cached & Pte.Modified) == 0;
            if (Allows(cached, access) && !needsWalk)
                return PageOfPte(cached);
            entry.Table = null;
        }
        var ptp = PdesValid(pmap, va);
        if (ptp is null)
            return IPmapMachine.Fault;
        int index = Pte.Index(va, 1);
        ulong pte = ptp.Entries[index];
        if ((pte & Pte.V) == 0 || !Allows(pte, access))
            return IPmapMachine.Fault;
        pte |= Pte.Accessed;
        if ((access & Prot.Write) != 0)
            pte |= Pte.Modified;
        if (ptp.Entries[index] != pte)
            Changes++;
        ptp.Entries[index] = pte;
        int slot = _tlbNext[cpu];
        _tlbNext[cpu] = (slot + 1) % TlbSize;
        _tlb[cpu * TlbSize + slot] = new TlbEntry
        {
            Vpn = vpn,
            Pte = pte,
            Table = ptp,
        };
        return PageOfPte(pte);
    }

    private static bool Allows(ulong pte, Prot access) =>
        access switch
        {
            Prot.Write => (pte & Pte.RW) != 0,
            Prot.Exec => (pte & Pte.NX) == 0,
            _ => true,
        };

    /// <summary>pmap_tlb_shootpage: queue va for the CPUs running the pmap.</summary>
    private void ShootPage(int pmap, ulong va)
    {
        _shootVas.Add(va);
        _shootPmap = pmap;
    }

    private int _shootPmap;
    private bool _shootAll;

    /// <summary>
    /// The queued shootdowns are sent and waited for (pmap_tlb_shootwait): to every CPU whose
    /// ci_proc_pmap is the pmap, one invalidation per page, or a full flush past the threshold.
    /// </summary>
    private void ShootWait()
    {
        if (_shootVas.Count == 0 && !_shootAll)
            return;
        bool all = _shootAll || _shootVas.Count > FlushAllThreshold;
        if (_counting)
            _counters.Flushes += all ? 1 : _shootVas.Count;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            if (_procPmap[cpu] != _shootPmap)
                continue;
            if (cpu != 0)
            {
                Probes[PmapProbes.RemoteShootdown]++;
                if (_noRemoteShootdown)
                    continue;
            }
            if (all)
                FlushTlb(cpu);
            else
            {
                foreach (ulong va in _shootVas)
                    InvalidatePage(cpu, va);
            }
        }
        _shootVas.Clear();
        _shootAll = false;
    }

    private void InvalidatePage(int cpu, ulong va)
    {
        ulong vpn = va >> PmapWorld.PageShift;
        for (int i = 0; i < TlbSize; i++)
        {
            ref var entry = ref _tlb[cpu * TlbSize + i];
            if (entry.Vpn == vpn)
                entry.Table = null;
        }
    }

    /// <summary>Queued PTPs go back to uvm once the shootdown wait is over (pmap_do_remove's last step).</summary>
    private void FreeQueuedPtps()
    {
        foreach (var ptp in _freedPtps)
            ReleaseFrame(ptp);
        _freedPtps.Clear();
    }
}
