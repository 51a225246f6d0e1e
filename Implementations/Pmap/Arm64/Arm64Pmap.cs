using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;
using static UvmDiff.Implementations.Pmap.Arm64.Arm64Pte;

namespace UvmDiff.Implementations.Pmap.Arm64;

/// <summary>How an arm64 process's pmap goes away at exit.</summary>
public enum Arm64Teardown
{
    /// <summary>1.113: pmap_purge, uvm_map_teardown's per-entry pmap_remove of every VA, pmap_destroy in the reaper.</summary>
    Purge113,

    /// <summary>
    /// Seed 004's diff, done in the order that keeps every contract: the wired entries are unwired,
    /// then pmap_deactivate flushes the ASIDs and runs pmap_vp_destroy (remove_pv for every managed
    /// pted before its slot goes, under the pmap lock), then the per-entry pmap_remove calls
    /// short-circuit on !pm_active, and pmap_destroy only returns the ASID.
    /// </summary>
    Seed004,
}

/// <summary>
/// A simulated arm64 pmap (pmap.c 1.113): three-level vp tables for user pmaps holding the hardware
/// descriptors and the pte_desc pointers, referenced/modified emulated by pmap_fault_fixup, ASID pairs
/// with generations and rollover on a pool cut to six ASIDs (pairs 2 and 4), TLBs tagged by ASID and
/// invalidated by broadcast (no IPIs), ttlb_flush doing nothing when pm_active is 0, pm_active 1 from
/// the process's creation until pmap_purge (context switches go through pmap_setttb, 9.3).
/// Deviations, each because the model has no randomness or no freed memory to read: pmap_find_asid
/// skips its five arc4random tries and its linear search stops at pmap_nasid (implicit in the kernel,
/// whose pool is a multiple of 32); a CPU whose ci_curpm was destroyed is not carried over at rollover.
/// </summary>
public sealed partial class Arm64Pmap : IPmapMachine
{
    private const int TlbSize = 8;
    private const int Nasid = 6;
    private const ulong AsidMask = 0xffff;
    private const ulong AsidUser = 1;
    private const ulong MaxNasid = 1UL << 16;
    private const int Kernel = IPmapMachine.NoPmap;
    private const int DeadPmap = -2;
    private const int RefFlag = 1;
    private const int ModFlag = 2;

    private readonly Arm64Teardown _teardown;
    private readonly bool _noRemovePvInVpDestroy,
        _shortCircuit,
        _tablesBeforeUnwire,
        _rolloverNoFlush,
        _pageRoNoFlush,
        _vpDestroyUnlocked,
        _unwireOnlyWired;

    private readonly Vp1?[] _root = new Vp1?[PmapWorld.Pmaps];
    private readonly int[] _active = new int[PmapWorld.Pmaps];
    private readonly ulong[] _asid = new ulong[PmapWorld.Pmaps];
    private readonly long[] _resident = new long[PmapWorld.Pmaps];
    private readonly long[] _wired = new long[PmapWorld.Pmaps];
    private readonly long[] _residentDrift = new long[PmapWorld.Pmaps];
    private readonly bool[] _alive = new bool[PmapWorld.Pmaps];
    private readonly int[] _incarnation = new int[PmapWorld.Pmaps];
    private readonly string?[] _statsAtDestroy = new string?[PmapWorld.Pmaps];

    private readonly PteDesc?[] _pv = new PteDesc?[PmapWorld.Pages];
    private readonly int[] _flags = new int[PmapWorld.Pages];
    private readonly int[] _wireCount = new int[PmapWorld.Pages];
    private readonly Stack<PteDesc> _ptedPool = new();
    private readonly Stack<Vp1> _vp1Pool = new();
    private readonly Stack<Vp2> _vp2Pool = new();
    private readonly Stack<Vp3> _vp3Pool = new();

    private uint _asidBits;
    private ulong _asidGen;
    private ulong _nextFrame;

    private readonly int[] _curpm = new int[PmapWorld.Cpus];
    private readonly int[] _running = new int[PmapWorld.Cpus];

    /// <summary>Each CPU's TLB, <see cref="TlbSize"/> entries from cpu * TlbSize.</summary>
    private readonly TlbEntry[] _tlb = new TlbEntry[PmapWorld.Cpus * TlbSize];
    private readonly int[] _tlbNext = new int[PmapWorld.Cpus];

    private TeardownCounters _counters;
    private bool _counting;
    private PvWalk? _walk;
    private int _walkPoints;

    public Arm64Pmap(FaultSet faults, Arm64Teardown teardown)
    {
        _teardown = teardown;
        _noRemovePvInVpDestroy = faults.Has(PmapFaults.VpDestroyWithoutRemovePv);
        _shortCircuit = faults.Has(PmapFaults.ShortCircuitWhileLive);
        _tablesBeforeUnwire = faults.Has(PmapFaults.TablesBeforeUnwire);
        _rolloverNoFlush = faults.Has(PmapFaults.RolloverWithoutFlush);
        _pageRoNoFlush = faults.Has(PmapFaults.ProtectWithoutFlush);
        _vpDestroyUnlocked = faults.Has(PmapFaults.VpDestroyUnlocked);
        _unwireOnlyWired = faults.Has(PmapFaults.UnwireOnlyWiredPteds);
    }

    public Arch Arch => Arch.Arm64;

    public long[] Probes { get; } = new long[PmapProbes.Names.Length];

    public TeardownCounters LastTeardown => _counters;

    public long Changes { get; private set; }

    public long CpuChanges { get; private set; }

    public void Reset()
    {
        Changes++;
        _asidBits = 3;
        _asidGen = MaxNasid;
        _nextFrame = 0x2_0000_0000;
        for (int page = 0; page < PmapWorld.Pages; page++)
        {
            for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
                _ptedPool.Push(pted);
            _pv[page] = null;
        }
        Array.Clear(_flags);
        Array.Clear(_wireCount);
        Array.Fill(_curpm, Kernel);
        Array.Fill(_running, Kernel);
        Array.Clear(_tlb);
        Array.Clear(_incarnation);
        for (int pmap = 0; pmap < PmapWorld.Pmaps; pmap++)
        {
            if (_root[pmap] is not null)
                FreeTables(pmap);
            Create(pmap);
        }
        _counters = default;
        _walk = null;
    }

    /// <summary>pmap_create: a zeroed vp1 root, ASID 0 of generation 0 (so the first setttb allocates), and the process's thread (pm_active 1).</summary>
    private void Create(int pmap)
    {
        var root = _vp1Pool.Count > 0 ? _vp1Pool.Pop() : new Vp1();
        root.Frame = NewFrame();
        _root[pmap] = root;
        _asid[pmap] = 0;
        _active[pmap] = 1;
        _resident[pmap] = 0;
        _wired[pmap] = 0;
        _residentDrift[pmap] = 0;
        _alive[pmap] = true;
        _statsAtDestroy[pmap] = null;
        _incarnation[pmap]++;
    }

    public void Exec(int pmap)
    {
        Changes++;
        Create(pmap);
    }

    private ulong NewFrame()
    {
        ulong frame = _nextFrame;
        _nextFrame += 2 * PmapWorld.PageSize;
        return frame;
    }

    public bool IsAlive(int pmap) => _alive[pmap];

    public int CurrentOn(int cpu) => _running[cpu];

    /// <summary>pmap_vp_lookup: the pted at va and, through <paramref name="vp3"/>, the table holding its PTE.</summary>
    private PteDesc? VpLookup(int pmap, ulong va, out Vp3? vp3)
    {
        vp3 = null;
        if (_counting)
            _counters.Lookups++;
        var vp1 = _root[pmap];
        if (vp1 is null)
            return null;
        var vp2 = vp1.Vp[Idx1(va)];
        if (_counting)
            _counters.TableEntriesRead++;
        if (vp2 is null)
            return null;
        vp3 = vp2.Vp[Idx2(va)];
        if (_counting)
            _counters.TableEntriesRead++;
        if (vp3 is null)
            return null;
        if (_counting)
            _counters.PtesVisited++;
        return vp3.Vp[Idx3(va)];
    }

    private Vp3 VpEnter(int pmap, ulong va, PteDesc pted)
    {
        var vp1 = _root[pmap] ?? throw new KernelPanic("pmap_vp_enter: NULL root (the tables are gone)");
        var vp2 = vp1.Vp[Idx1(va)];
        if (vp2 is null)
        {
            vp2 = _vp2Pool.Count > 0 ? _vp2Pool.Pop() : new Vp2();
            vp2.Frame = NewFrame();
            vp1.Vp[Idx1(va)] = vp2;
            vp1.L1[Idx1(va)] = vp2.Frame | LxTypePt;
            vp1.Touch(Idx1(va));
        }
        var vp3 = vp2.Vp[Idx2(va)];
        if (vp3 is null)
        {
            vp3 = _vp3Pool.Count > 0 ? _vp3Pool.Pop() : new Vp3();
            vp3.Frame = NewFrame();
            vp2.Vp[Idx2(va)] = vp3;
            vp2.L2[Idx2(va)] = vp3.Frame | LxTypePt;
            vp2.Touch(Idx2(va));
        }
        vp3.Vp[Idx3(va)] = pted;
        vp3.Touch(Idx3(va));
        return vp3;
    }

    /// <summary>
    /// pool_put of every table of a pmap (Reset only: the pteds are returned with the PV lists). Only the
    /// slots a table ever had entered can hold a table.
    /// </summary>
    private void FreeTables(int pmap)
    {
        var vp1 = _root[pmap]!;
        for (int j = vp1.Lowest; j <= vp1.Highest; j++)
        {
            if (vp1.Vp[j] is not { } vp2)
                continue;
            for (int k = vp2.Lowest; k <= vp2.Highest; k++)
            {
                if (vp2.Vp[k] is { } vp3)
                    PutVp3(vp3);
            }
            PutVp2(vp2);
        }
        PutVp1(vp1);
        _root[pmap] = null;
    }

    private void PutVp1(Vp1 vp1)
    {
        vp1.Clear();
        _vp1Pool.Push(vp1);
    }

    private void PutVp2(Vp2 vp2)
    {
        vp2.Clear();
        _vp2Pool.Push(vp2);
    }

    private void PutVp3(Vp3 vp3)
    {
        vp3.Clear();
        _vp3Pool.Push(vp3);
    }

    private static bool Valid(PteDesc pted) => pted.PtedPte != 0;

    private static int PageOf(PteDesc pted) => PageOfPa(pted.PtedPte & Rpgn);

    /// <summary>PHYS_TO_VM_PAGE: the data page at a physical address.</summary>
    private static int PageOfPa(ulong pa) => (int)((pa - PmapWorld.PageBase) >> PmapWorld.PageShift);

    private void EnterPv(PteDesc pted, int page)
    {
        pted.PvPrev = null;
        pted.PvNext = _pv[page];
        if (pted.PvNext is not null)
            pted.PvNext.PvPrev = pted;
        _pv[page] = pted;
        pted.PtedVa |= Managed;
    }

    private void RemovePv(PteDesc pted)
    {
        int page = PageOf(pted);
        if (pted.PvPrev is null)
            _pv[page] = pted.PvNext;
        else
            pted.PvPrev.PvNext = pted.PvNext;
        if (pted.PvNext is not null)
            pted.PvNext.PvPrev = pted.PvPrev;
        pted.PvNext = pted.PvPrev = null;
    }

    /// <summary>
    /// pmap_enter. An unchanged PA, protection and cache mode returns 0 at once (WIRED ignored); a
    /// differing valid mapping is removed first; resident_count goes up before the pted is allocated
    /// (an injected failure there leaves the drift, 9.3); REF comes from the access type, MOD from a
    /// write into a writable mapping; the PTE is written only for an access or WIRED. The access the
    /// op then makes goes through pmap_fault_fixup when the enabled bits do not allow it.
    /// </summary>
    public int Enter(int pmap, ulong va, int page, Prot prot, Prot access, bool wired, bool failAlloc)
    {
        Changes++;
        ulong pa = PmapWorld.PageBase + (ulong)page * PmapWorld.PageSize;
        var pted = VpLookup(pmap, va, out _);
        if (pted is not null && Valid(pted))
        {
            if (
                (pted.PtedPte & Rpgn) == pa
                && (pted.PtedVa & ProtMask) == (ulong)prot
                && (pted.PtedVa & CacheWb) == CacheWb
            )
            {
                Touch(pmap, va, access);
                if (wired)
                    _wireCount[page]++;
                return 0;
            }
            RemovePted(pmap, pted);
            pted = VpLookup(pmap, va, out _);
        }
        _resident[pmap]++;
        if (pted is null)
        {
            if (failAlloc)
            {
                _residentDrift[pmap]++;
                return IPmapMachine.Enomem;
            }
            pted = _ptedPool.Count > 0 ? _ptedPool.Pop() : new PteDesc();
            VpEnter(pmap, va, pted);
        }
        if (access != Prot.None || (_flags[page] & RefFlag) != 0)
        {
            _flags[page] |= RefFlag;
            if ((prot & Prot.Write) != 0 && (access & Prot.Write) != 0)
                _flags[page] |= ModFlag;
        }
        pted.Pmap = pmap;
        pted.PtedVa = va | CacheWb | (ulong)prot;
        if (wired)
        {
            pted.PtedVa |= Wired;
            _wired[pmap]++;
        }
        pted.PtedPte = pa | (ulong)access;
        EnterPv(pted, page);
        if (access != Prot.None || wired)
        {
            PteInsert(pted);
            TtlbFlush(pmap, va);
        }
        Touch(pmap, va, access);
        if (wired)
            _wireCount[page]++;
        return 0;
    }

    /// <summary>The retried instruction after a fault-time enter: pmap_fault_fixup when the enabled bits do not allow it.</summary>
    private void Touch(int pmap, ulong va, Prot access)
    {
        if (access == Prot.None)
            return;
        foreach (var kind in (ReadOnlySpan<Prot>)[Prot.Write, Prot.Exec, Prot.Read])
        {
            var pted = VpLookup(pmap, va, out _)!;
            if ((access & kind) != 0 && !HardwareAllows(Encode(pted), kind))
                FaultFixup(pmap, va, kind);
        }
    }

    /// <summary>pmap_pte_update's descriptor: PA | nG | AttrIndx(WB) | SH inner | ap_bits_user[enabled] | GP | L3_P; 0 when no access bits.</summary>
    private static ulong Encode(PteDesc pted)
    {
        ulong accessBits = ApBitsUser[pted.PtedPte & ProtMask] | Gp;
        return (pted.PtedPte & Rpgn) | NG | AttrWb | ShInner | accessBits | L3P;
    }

    /// <summary>pmap_pte_insert: finds the PTE slot through the vp tables, or panics as the kernel does.</summary>
    private void PteInsert(PteDesc pted)
    {
        var found = VpLookupQuiet(pted.Pmap, pted.Va, out var vp3);
        if (found is null || vp3 is null)
            throw new KernelPanic(
                $"pmap_pte_insert: have a pted, but missing a vp for 0x{pted.Va:x} va pmap {pted.Pmap}"
            );
        vp3.L3[Idx3(pted.Va)] = Encode(pted);
    }

    private PteDesc? VpLookupQuiet(int pmap, ulong va, out Vp3? vp3)
    {
        bool counting = _counting;
        _counting = false;
        var pted = VpLookup(pmap, va, out vp3);
        _counting = counting;
        return pted;
    }

    /// <summary>pmap_pte_remove: zero the PTE and (user pmaps) the vp slot, panicking on a missing table.</summary>
    private void PteRemove(PteDesc pted)
    {
        var vp1 =
            _root[pted.Pmap]
            ?? throw new KernelPanic($"have a pted, but missing the l1 for 0x{pted.Va:x} va pmap {pted.Pmap}");
        var vp2 =
            vp1.Vp[Idx1(pted.Va)]
            ?? throw new KernelPanic($"have a pted, but missing the l2 for 0x{pted.Va:x} va pmap {pted.Pmap}");
        var vp3 =
            vp2.Vp[Idx2(pted.Va)]
            ?? throw new KernelPanic($"have a pted, but missing the l3 for 0x{pted.Va:x} va pmap {pted.Pmap}");
        vp3.L3[Idx3(pted.Va)] = 0;
        vp3.Vp[Idx3(pted.Va)] = null;
    }

    /// <summary>pmap_remove_pted: resident - 1, unwire, PTE and slot gone, ttlb_flush, remove_pv, pted zeroed and freed.</summary>
    private void RemovePted(int pmap, PteDesc pted)
    {
        _resident[pmap]--;
        if ((pted.PtedVa & Wired) != 0)
        {
            _wired[pmap]--;
            pted.PtedVa &= ~Wired;
        }
        PteRemove(pted);
        TtlbFlush(pmap, pted.Va);
        if ((pted.PtedVa & Managed) != 0)
            RemovePv(pted);
        pted.PtedPte = 0;
        pted.PtedVa = 0;
        _ptedPool.Push(pted);
    }

    /// <summary>ttlb_flush: nothing when pm_active is 0; else the page in both of the pmap's ASIDs, broadcast.</summary>
    private void TtlbFlush(int pmap, ulong va)
    {
        if (_active[pmap] == 0)
            return;
        if (_counting)
            _counters.Flushes++;
        ulong asid = _asid[pmap] & AsidMask;
        ulong vpn = va >> PmapWorld.PageShift;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            for (int i = 0; i < TlbSize; i++)
            {
                ref var entry = ref _tlb[cpu * TlbSize + i];
                if (entry.Valid && entry.Vpn == vpn && (entry.Asid | AsidUser) == (asid | AsidUser))
                    entry.Valid = false;
            }
        }
    }

    /// <summary>cpu_tlb_flush_asid_all for both ASIDs of the pair.</summary>
    private void FlushAsid(ulong asid)
    {
        if (_counting)
            _counters.Flushes += 2;
        for (int cpu = 0; cpu < PmapWorld.Cpus; cpu++)
        {
            for (int i = 0; i < TlbSize; i++)
            {
                ref var entry = ref _tlb[cpu * TlbSize + i];
                if (entry.Valid && (entry.Asid | AsidUser) == ((asid & AsidMask) | AsidUser))
                    entry.Valid = false;
            }
        }
    }

    public int Extract(int pmap, ulong va)
    {
        var pted = VpLookup(pmap, va, out _);
        return pted is not null && Valid(pted) ? PageOf(pted) : -1;
    }

    public bool IsReferenced(int page) => (_flags[page] & RefFlag) != 0;

    public bool IsModified(int page) => (_flags[page] & ModFlag) != 0;

    public int WireCount(int page) => _wireCount[page];

    /// <summary>pmap_clear_reference: REF off, every mapping's enabled bits off (re-inserted, flushed).</summary>
    public void ClearReference(int page)
    {
        Changes++;
        _flags[page] &= ~RefFlag;
        for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
        {
            pted.PtedPte &= ~ProtMask;
            PteInsert(pted);
            TtlbFlush(pted.Pmap, pted.Va);
        }
    }

    public void PageAllocated(int page)
    {
        if ((_flags[page] & (RefFlag | ModFlag)) != 0)
            Changes++;
        _flags[page] &= ~(RefFlag | ModFlag);
    }

    /// <summary>pmap_clear_modify: MOD off, WRITE off in every mapping's enabled bits.</summary>
    public void ClearModify(int page)
    {
        Changes++;
        _flags[page] &= ~ModFlag;
        for (var pted = _pv[page]; pted is not null; pted = pted.PvNext)
        {
            pted.PtedPte &= ~(ulong)Prot.Write;
            PteInsert(pted);
            TtlbFlush(pted.Pmap, pted.Va);
        }
    }

    /// <summary>
    /// pmap_fault_fixup: a write allowed but not enabled sets MOD|REF and enables R|W|X as allowed; an
    /// exec or read likewise sets REF and enables R|X as allowed; => whether it changed anything
    /// </summary>
    private bool FaultFixup(int pmap, ulong va, Prot ftype)
    {
        var pted = VpLookup(pmap, va, out var vp3);
        if (pted is null || !Valid(pted) || vp3 is null)
            return false;
        int page = PageOf(pted);
        ulong allowed = pted.PtedVa & ProtMask;
        ulong enabled = pted.PtedPte & ProtMask;
        const ulong W = (ulong)Prot.Write,
            R = (ulong)Prot.Read,
            X = (ulong)Prot.Exec;
        if ((ftype & Prot.Write) != 0 && (enabled & W) == 0 && (allowed & W) != 0)
        {
            _flags[page] |= ModFlag | RefFlag;
            pted.PtedPte |= allowed & (R | W | X);
        }
        else if ((ftype & Prot.Exec) != 0 && (enabled & X) == 0 && (allowed & X) != 0)
        {
            _flags[page] |= RefFlag;
            pted.PtedPte |= allowed & (R | X);
        }
        else if ((ftype & Prot.Read) != 0 && (enabled & R) == 0 && (allowed & R) != 0)
        {
            _flags[page] |= RefFlag;
            pted.PtedPte |= allowed & (R | X);
        }
        else
            return false;
        vp3.L3[Idx3(va)] = Encode(pted);
        TtlbFlush(pmap, va);
        return true;
    }

    /// <summary>The EL0 permission check of a descriptor: valid, AF, AP(1) read-write or AP(3) read-only, UXN clear for exec.</summary>
    private static bool HardwareAllows(ulong pte, Prot access)
    {
        if ((pte & L3P) != L3P || (pte & Af) == 0)
            return false;
        ulong ap = (pte >> 6) & 3;
        return access switch
        {
            Prot.Read => ap is 1 or 3,
            Prot.Write => ap == 1,
            _ => (pte & Uxn) == 0,
        };
    }

    /// <summary>What a descriptor with the allowed bits would let EL0 do: the observation's grants, by allowed bits.</summary>
    private static readonly Prot[] GrantsByAllowed = [.. Enumerable.Range(0, 8).Select(p => GrantsOf((ulong)p))];

    private static Prot GrantsOf(ulong allowed)
    {
        ulong pte = ApBitsUser[allowed] | L3P;
        var grants = Prot.None;
        foreach (var access in (ReadOnlySpan<Prot>)[Prot.Read, Prot.Write, Prot.Exec])
        {
            if (HardwareAllows(pte, access))
                grants |= access;
        }
        return grants;
    }
}
