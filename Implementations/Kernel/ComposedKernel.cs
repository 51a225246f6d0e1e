using UvmDiff.Implementations.Map;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>
/// A kernel composed of one map implementation per process and one pmap implementation: the RB-tree map
/// with the amd64 pmap, the B+-tree map with the arm64 pmap, and so on. It follows the kernel's path
/// through the layers as the reference does, with its own bookkeeping: a page table of owning anons indexed
/// by physical page and an array from anon id to page. Its maps share one <see cref="AnonArena"/>: anons
/// are numbered kernel-wide, and the anons the maps free (an_ref 0) have their pages freed.
/// </summary>
public sealed partial class ComposedKernel : IKernelMachine, IBackedPages
{
    private const int NoPage = -1;
    private const int NoAnon = 0;

    private readonly IVmMapMachine[] _maps;
    private readonly IPmapMachine _pmap;

    /// <summary>arm64's pmap_enter presets REF/MOD from the access type (a wired fault's is full access); amd64's does not.</summary>
    private readonly bool _enterPresetsRefMod;
    private readonly AnonArena _arena = new();
    private readonly bool[] _alive = new bool[KernelWorld.Processes];

    /// <summary>The process ran mlock since its vmspace began: only mlock wires an entry (fork's, exec's and mmap's are unwired).</summary>
    private readonly bool[] _mlocked = new bool[KernelWorld.Processes];
    private readonly int[] _ownerAnon = new int[KernelWorld.Pages];
    private int[] _pageOfAnon = new int[64];
    private readonly AnonScan _scan = new();
    private readonly AnonScan _before = new();
    private readonly List<MapSpan> _spans = [];
    private long _faults;
    private long _allocated;
    private long _freed;

    /// <summary>
    /// <see cref="CoreChanges"/>: counted by the page-owner and anon-slot setters, and by the getter when
    /// the scalar core facts (<see cref="CoreScalars"/>) moved since it last looked.
    /// </summary>
    private long _coreChanges;
    private CoreScalars _coreSeen;

    private readonly bool _unmapSkipsUnwire;
    private readonly bool _protectSkipsPmap;

    public long[] Probes { get; } = new long[KernelProbes.Names.Length];

    /// <param name="backing">Seed 003's reverse lookup, when the pmap asks the kernel where a page is mapped.</param>
    public ComposedKernel(
        Func<AnonArena, IVmMapMachine> newMap,
        IPmapMachine pmap,
        FaultSet faults,
        BackingWalk? backing = null
    )
    {
        _unmapSkipsUnwire = faults.Has(KernelFaults.UnmapSkipsUnwire);
        _protectSkipsPmap = faults.Has(KernelFaults.ProtectSkipsPmap);
        _anfreeKeepsSwap = faults.Has(KernelFaults.AnfreeKeepsSwapSlot);
        _forkSkipsProtect = faults.Has(KernelFaults.ForkSkipsParentProtect);
        _stepped = new Concurrency.SteppedMachine(afterDiff: true, faults);
        _maps = new IVmMapMachine[KernelWorld.Processes];
        for (int pid = 0; pid < _maps.Length; pid++)
            _maps[pid] = newMap(_arena);
        _pmap = pmap;
        _enterPresetsRefMod = PmapProfile.Of(pmap.Arch).EnterPresetsRefMod;
        CreateFiles(faults);
        CreateKernelMemory();
        backing?.Attach(_maps, _alive, this, Probes);
        Reset();
    }

    public Arch Arch => _pmap.Arch;

    public void Reset()
    {
        foreach (var map in _maps)
            map.Reset();
        _arena.Reset();
        Array.Fill(_pageOfAnon, NoPage);
        _pmap.Reset();
        Array.Fill(_alive, true);
        Array.Clear(_mlocked);
        Array.Fill(_ownerAnon, NoAnon);
        _coreChanges++;
        _forked = false;
        ResetFiles();
        ResetKernelMemory();
        ResetAnonSwap();
        _faults = _allocated = _freed = 0;
    }

    public string? Mmap(int pid, ulong addr, ulong size, MapProt prot, MapKind kind)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (WxViolation(prot))
            return "ENOTSUP";
        if (!InUserSpace(addr, size) || StackWithoutReadWrite(kind, prot))
            return "EINVAL";
        LoadBeforeUnmap(pid);
        var error = _maps[pid].MapFixed(addr, size, prot, MapProt.RWX, kind, 0, 0);
        if (error is null)
            UnmapRemove(pid, addr, addr + size);
        DetachDropped();
        return error;
    }

    public string? MmapAnywhere(int pid, ulong size, MapProt prot, MapKind kind, out ulong addr)
    {
        addr = 0;
        if (!_alive[pid])
            return "ESRCH";
        if (WxViolation(prot))
            return "ENOTSUP";
        if (StackWithoutReadWrite(kind, prot))
            return "EINVAL";
        return _maps[pid].MapAnywhere(size, prot, MapProt.RWX, kind, 0, 0, out addr);
    }

    /// <summary>uvm_wxcheck for a process that is not wxneeded, with kern.wxabort off: W and X together fail.</summary>
    private static bool WxViolation(MapProt prot) => (prot & (MapProt.W | MapProt.X)) == (MapProt.W | MapProt.X);

    private static bool StackWithoutReadWrite(MapKind kind, MapProt prot) =>
        kind == MapKind.Stack && (prot & MapProt.RW) != MapProt.RW;

    /// <summary>A wired fault's access into pmap_enter: full access where pmap_enter presets REF/MOD from it, else what was performed.</summary>
    private PmapProt WiredAccess(in MappedPage page, PmapProt performed) =>
        _enterPresetsRefMod ? (PmapProt)(page.Protection & MapProt.RW) : performed;

    /// <summary>sys_mmap(MAP_FIXED) and sys_munmap's address checks: no wrap, inside [VM_MIN_ADDRESS, VM_MAXUSER_ADDRESS].</summary>
    private bool InUserSpace(ulong addr, ulong size)
    {
        ulong end = addr + size;
        return end >= addr && addr >= KernelWorld.MinUserAddress && end <= KernelWorld.MaxUserAddress(Arch);
    }

    public string? Munmap(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (!InUserSpace(addr, size))
            return "EINVAL";
        LoadBeforeUnmap(pid);
        var error = _maps[pid].Unmap(addr, size);
        if (error is null)
            UnmapRemove(pid, addr, addr + size);
        DetachDropped();
        return error;
    }

    /// <summary>
    /// <see cref="_before"/> for <see cref="UnmapRemove"/>, which reads only the pages of wired entries
    /// from it: loaded when the process may have some, empty otherwise.
    /// </summary>
    private void LoadBeforeUnmap(int pid)
    {
        if (_mlocked[pid])
            _before.Load(_maps[pid]);
        else
            _before.Clear();
    }

    /// <summary>uvm_unmap_remove's pmap side over what <see cref="_before"/> saw: unwire, remove, free.</summary>
    private void UnmapRemove(int pid, ulong start, ulong end)
    {
        for (int i = 0; i < _before.Count; i++)
        {
            ref var page = ref _before.Pages[i];
            if (page.Va >= start && page.Va < end && page.EntryWired)
            {
                Probes[KernelProbes.UnmapUnwire]++;
                if (!_unmapSkipsUnwire)
                    _pmap.Unwire(pid, page.Va);
            }
        }
        _pmap.Remove(pid, start, end);
        CountEntryRefs(pid);
        FreeAnfreed();
        FollowWires();
    }

    /// <summary>uvm_anfree's uvm_pagefree for every anon the maps freed since the last call.</summary>
    private void FreeAnfreed()
    {
        foreach (int anon in _arena.Freed)
        {
            if (_slotted != 0)
                DropSwap(anon);
            if (anon < _pageOfAnon.Length && _pageOfAnon[anon] is var page and not NoPage)
                Free(page);
        }
        _arena.Freed.Clear();
    }

    private void Free(int page)
    {
        _pmap.PageProtect(page, PmapProt.None);
        _pageOfAnon[_ownerAnon[page]] = NoPage;
        _ownerAnon[page] = NoAnon;
        _coreChanges++;
        UvmDiff.Spec.Pages.Pages.Free(_uvm, _uvm.Frames[page]);
        _freed++;
    }

    public string? Mprotect(int pid, ulong addr, ulong size, MapProt prot)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (WxViolation(prot))
            return "ENOTSUP";
        ulong end = addr + size;
        _before.Load(_maps[pid]);
        var error = _maps[pid].Protect(addr, end, prot);
        if (error is not null)
            return error;
        foreach (var entry in _before.Entries)
        {
            if (entry.End <= addr || entry.Start >= end || entry.Protection == prot || (entry.EType & EType.Hole) != 0)
                continue;
            var mask = (entry.EType & EType.CopyOnWrite) != 0 ? ~MapProt.W : MapProt.RWX;
            Probes[KernelProbes.ProtectRange]++;
            if (_protectSkipsPmap)
                continue;
            _pmap.Protect(pid, Math.Max(entry.Start, addr), Math.Min(entry.End, end), (PmapProt)(prot & mask));
        }
        return null;
    }

    public string? Mlock(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (addr + size < addr)
            return "EINVAL";
        _mlocked[pid] = true;
        _before.Load(_maps[pid]);
        if (MapsFile(_before.Entries, addr, addr + size))
            return "EOPNOTSUPP";
        if (_maps[pid].Pageable(addr, addr + size, unwire: false) is not null)
            return "ENOMEM";
        _scan.Load(_maps[pid]);
        for (int i = 0; i < _scan.Count; i++)
        {
            var page = _scan.Pages[i];
            int gained = _scan.WiredOf(page.Anon) - _before.WiredOf(page.Anon);
            for (int n = 0; n < gained; n++)
            {
                if (_forked)
                    ProtectReplaced(page);
                int entered = Enter(
                    pid,
                    page.Va,
                    page.Anon,
                    EnterProt(page),
                    WiredAccess(page, PmapProt.None),
                    wired: true
                );
                if (entered < 0)
                {
                    FollowWires();
                    return KernelWorld.OutOfPages;
                }
                ReleaseSwapOfWired(entered);
            }
        }
        FollowWires();
        return null;
    }

    public string? Munlock(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (addr + size < addr)
            return "EINVAL";
        _before.Load(_maps[pid]);
        if (_maps[pid].Pageable(addr, addr + size, unwire: true) is not null)
            return "ENOMEM";
        _scan.Load(_maps[pid]);
        for (int i = 0; i < _scan.Count; i++)
        {
            var page = _scan.Pages[i];
            int lost = _before.WiredOf(page.Anon) - _scan.WiredOf(page.Anon);
            for (int n = 0; n < lost; n++)
                _pmap.Unwire(pid, page.Va);
        }
        FollowWires();
        return null;
    }

    public string? Access(int cpu, ulong va, MapProt kind, out int page)
    {
        bool write = kind == MapProt.W;
        var access = (PmapProt)kind;
        page = _pmap.Access(cpu, va, access);
        if (page == IPmapMachine.NoProcess)
            return "ESRCH";
        if (page >= 0)
        {
            Stored(page, write);
            return null;
        }
        int pid = _pmap.CurrentOn(cpu);
        _faults++;
        var old = default(MappedPage);
        if (_forked && _maps[pid].Lookup(va, out var was, out old.Anon, out _, out old.AmapShared))
            old.AmapId = was.AmapId;
        if (_maps[pid].Fault(va, kind) is { } error)
            return error;
        if (!_maps[pid].Lookup(va, out var entry, out int anon, out int refs, out bool amapShared))
            throw new KernelPanic($"uvm_fault: no entry maps 0x{va:x} after the fault resolved it");
        if (anon == NoAnon)
        {
            page = FaultFilePage(pid, va, entry, access);
        }
        else
        {
            var resolved = new MappedPage
            {
                Va = va,
                Anon = anon,
                Protection = entry.Protection,
                EntryWired = entry.WiredCount > 0,
                AmapId = entry.AmapId,
                AmapShared = amapShared,
                Obj = entry.Obj,
            };
            if (_forked && !OldAnonIn(old.Anon, resolved.Anon))
                return KernelWorld.OutOfPages;
            if (
                resolved.Obj != 0
                && PageOfAnon(resolved.Anon) < 0
                && SlotOf(resolved.Anon) == 0
                && FilePageIn(entry, va) is null
            )
                return KernelWorld.OutOfPages;
            if (resolved.EntryWired)
                access = WiredAccess(resolved, access);
            if (_forked && old.Anon != NoAnon)
                ProtectReplaced(old, resolved);
            page = Enter(pid, va, resolved.Anon, EnterProt(resolved, refs), access, resolved.EntryWired);
            if (page >= 0)
                ActivateAnonPage(page);
            if (resolved.EntryWired)
            {
                if (page >= 0)
                    ReleaseSwapOfWired(page);
                FollowWires();
            }
        }
        if (page < 0)
            return KernelWorld.OutOfPages;
        Stored(page, write);
        return null;
    }

    private int PageOfAnon(int anon) => anon < _pageOfAnon.Length ? _pageOfAnon[anon] : NoPage;

    /// <summary>pmap_enter of the anon's page, allocating one for a new anon. => the page, or -1 when none is free</summary>
    private int Enter(int pid, ulong va, int anon, MapProt prot, PmapProt access, bool wired)
    {
        int page = PageFor(anon);
        if (page != NoPage)
            _pmap.Enter(pid, va, page, (PmapProt)prot, access, wired, failAlloc: false);
        return page;
    }

    /// <summary>The anon's page, the lowest free unwired one for a new anon. => the page, or -1 when none is free</summary>
    private int PageFor(int anon)
    {
        if (anon >= _pageOfAnon.Length)
        {
            int old = _pageOfAnon.Length;
            Array.Resize(ref _pageOfAnon, Math.Max(anon + 1, old * 2));
            Array.Fill(_pageOfAnon, NoPage, old, _pageOfAnon.Length - old);
        }
        int page = _pageOfAnon[anon];
        if (page != NoPage)
            return page;
        page = FreePage();
        if (page < 0)
            return NoPage;
        _ownerAnon[page] = anon;
        _pageOfAnon[anon] = page;
        _coreChanges++;
        _pmap.PageAllocated(page);
        _allocated++;
        AnonFrame(page, fromSwap: SlotOf(anon) != 0);
        return page;
    }

    /// <summary>uvm_pagealloc's choice: the lowest page no anon and no file holds and the pmap has not left wired.</summary>
    private int FreePage()
    {
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerAnon[page] == NoAnon && _uvm.Frames[page].Object is null && _pmap.WireCount(page) == 0)
                return page;
        }
        return -1;
    }

    public string? Switch(int cpu, int pid)
    {
        if (pid >= 0 && !_alive[pid])
            return "ESRCH";
        if (_pmap.CurrentOn(cpu) != IPmapMachine.NoPmap)
            _pmap.Deactivate(cpu);
        if (pid >= 0)
            _pmap.Activate(cpu, pid);
        return null;
    }

    public string? Exit(int pid, PvWalk? interleaved)
    {
        if (!_alive[pid])
            return "ESRCH";
        _scan.Load(_maps[pid]);
        _spans.Clear();
        foreach (var entry in _scan.Entries)
        {
            if ((entry.EType & EType.Hole) == 0)
                _spans.Add(new MapSpan(entry.Start, entry.End, entry.WiredCount > 0));
        }
        _pmap.Exit(pid, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_spans), interleaved);
        _maps[pid].Teardown();
        _alive[pid] = false;
        FreeAnfreed();
        FollowWires();
        for (int file = 1; file <= KernelFiles.Count; file++)
            _entryRefs[pid, file] = 0;
        DetachDropped();
        return null;
    }

    public string? Spawn(int pid)
    {
        if (_alive[pid])
            return "EBUSY";
        _pmap.Exec(pid);
        _maps[pid].Reset();
        _alive[pid] = true;
        _mlocked[pid] = false;
        return null;
    }

    public ulong MapFingerprint(int pid) => _maps[pid].Fingerprint();

    public ulong AnonFingerprint() => _arena.Ledger.Sum;

    public void WalkMap(int pid, IMapObserver observer) => _maps[pid].Walk(observer);

    public long MapChanges(int pid) => _maps[pid].Changes;

    public void WalkPmap(IPmapFactSink sink) => _pmap.Walk(sink);

    public long PmapChanges => _pmap.Changes - _pmap.CpuChanges;

    public int RunningOn(int cpu) => _pmap.CurrentOn(cpu);

    public long CoreChanges
    {
        get
        {
            var now = new CoreScalars(
                _faults,
                _allocated,
                _freed,
                _kmemAllocated,
                _uvm.Exp.SwpgInUse,
                _uvm.Exp.SwpgOnly,
                AliveBits()
            );
            if (now != _coreSeen)
            {
                _coreSeen = now;
                _coreChanges++;
            }
            return _coreChanges;
        }
    }

    private int AliveBits()
    {
        int bits = 0;
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
            bits |= _alive[pid] ? 1 << pid : 0;
        return bits;
    }

    /// <summary>The core facts <see cref="CoreChanges"/> compares instead of counting each write: counters, kernel_map's allocations, swap counts, lives.</summary>
    private readonly record struct CoreScalars(
        long Faults,
        long Allocated,
        long Freed,
        uint Kmem,
        int SwapInUse,
        int SwapOnly,
        int Alive
    );

    public void WalkKernel(IKernelFactSink sink)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
            sink.Process(pid, _alive[pid]);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerAnon[page] != NoAnon)
                sink.PageOwner(page, _ownerAnon[page]);
        }
        sink.Counters(_faults, _allocated, _freed);
        if (sink.WantsFiles)
            WalkFileFacts(sink);
        WalkKernelMemory(sink);
        WalkAnonSwap(sink);
    }

    /// <summary>
    /// The pmap's <see cref="IPmapMachine.Changes"/> when it last passed its per-step check: the calls it
    /// does not count (TLB hits and fills of a live pmap) cannot break what that check reads.
    /// </summary>
    private long _pmapCheckedAt = -1;

    /// <summary>Each map's <see cref="IVmMapMachine.Changes"/> when it last passed its check.</summary>
    private readonly long[] _mapCheckedAt = [.. Enumerable.Repeat(-1L, KernelWorld.Processes)];

    /// <summary>
    /// Each layer's own checks (a map's or the pmap's only when a routine ran on it since it last passed, or with
    /// <paramref name="full"/>), then with <paramref name="full"/> the composition's (<see cref="CrossLayer.Check"/>).
    /// </summary>
    public string? Check(bool full)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            if (!full && _maps[pid].Changes == _mapCheckedAt[pid])
                continue;
            if (_maps[pid].Check() is { } broken)
                return $"process {pid} map: {broken}";
            _mapCheckedAt[pid] = _maps[pid].Changes;
        }
        if ((full || _pmap.Changes != _pmapCheckedAt) && _pmap.CheckInvariants(full) is { } pmapBroken)
            return $"pmap: {pmapBroken}";
        _pmapCheckedAt = _pmap.Changes;
        if (Invariants.CheckStep(_uvm, full) is { } objectsBroken)
            return $"objects: {objectsBroken}";
        return full ? CrossLayer.Check(this) : null;
    }
}
