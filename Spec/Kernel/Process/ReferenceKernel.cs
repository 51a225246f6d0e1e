using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The reference kernel: every process's vmspace is a <see cref="ReferenceMap"/> and one pmap of a
/// <see cref="ReferencePmap"/> built with the architecture's profile; anonymous memory's anons, numbered
/// kernel-wide (one <see cref="AnonPool"/> for every map, so that fork can share them), are backed by the
/// six physical pages, handed out lowest first: one page per anon, whichever processes hold it. The map layer runs each routine on the map (clipping,
/// amaps, anons, wire counts); this class runs what the kernel does around it on the pmap and the pages,
/// reading the map only through its observation. Slow and plain on purpose.
/// </summary>
public sealed partial class ReferenceKernel : IKernelMachine
{
    private readonly ReferenceMap[] _maps = new ReferenceMap[KernelWorld.Processes];
    private readonly ReferencePmap _pmap;
    private readonly SplitMapSum _mapSums = new();
    private readonly ulong[] _ownSums = new ulong[KernelWorld.Processes];

    /// <summary>Each map's amaps' and anons' sum from its own walk, while no two maps share any (<see cref="_mapsShare"/>).</summary>
    private readonly ulong[] _sharedSums = new ulong[KernelWorld.Processes];

    /// <summary>Each map's <see cref="IVmMapMachine.Changes"/> when it was last walked for its sums; -1: not since the reset.</summary>
    private readonly long[] _summedAt = new long[KernelWorld.Processes];

    /// <summary>A fork ran since the reset: an amap or anon may be in two maps, and every map is walked together.</summary>
    private bool _mapsShare;
    private readonly bool[] _alive = new bool[KernelWorld.Processes];

    private readonly AnonPool _pool = new();

    /// <summary>A routine's map as it was before and after the map layer ran (one walk each, storage reused).</summary>
    private readonly MapView _before = new();
    private readonly MapView _after = new();
    private readonly HeldAnons _held = new();

    /// <summary>Which anon each physical page backs; absent: free.</summary>
    private readonly Dictionary<int, int> _owner = [];
    private long _faults;
    private long _allocated;
    private long _freed;

    /// <summary><see cref="CoreChanges"/>: counted where a page's owner or an anon's slot is set, and when the scalar core facts moved.</summary>
    private long _coreChanges;
    private (long Faults, long Allocated, long Freed, int Kmem, int SwapInUse, int SwapOnly, int Alive) _coreSeen;

    public ReferenceKernel(Arch arch)
    {
        _pmap = new ReferencePmap(PmapProfile.Of(arch));
        for (int pid = 0; pid < _maps.Length; pid++)
            _maps[pid] = new ReferenceMap(_pool);
        CreateFiles();
        CreateKernelMemory();
        Reset();
    }

    public Arch Arch => _pmap.Arch;

    public void Reset()
    {
        foreach (var map in _maps)
            map.Reset();
        Array.Fill(_summedAt, -1);
        _mapsShare = false;
        _pool.Reset();
        _pmap.Reset();
        Array.Fill(_alive, true);
        _owner.Clear();
        _coreChanges++;
        ResetFiles();
        ResetKernelMemory();
        ResetAnonSwap();
        _faults = _allocated = _freed = 0;
    }

    /// <summary>
    /// sys_mmap of anonymous memory with MAP_FIXED: uvm_mmapanon with maxprot PROT_MASK, then uvm_map,
    /// whose UVM_FLAG_UNMAP removes what was there (uvm_unmap_remove: uvm_fault_unwire_locked on wired
    /// entries, pmap_remove, the amaps' anons freed).
    /// => ESRCH for a dead process; ENOTSUP for PROT_WRITE|PROT_EXEC (<see cref="WriteAndExecute"/>);
    ///    EINVAL for a range outside user space and for MAP_STACK without PROT_READ|PROT_WRITE; the map
    ///    layer's errors unchanged, with nothing removed
    /// </summary>
    public string? Mmap(int pid, ulong addr, ulong size, MapProt prot, MapKind kind)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (WriteAndExecute(prot))
            return "ENOTSUP";
        if (OutsideUserSpace(addr, size) || StackWithoutReadWrite(kind, prot))
            return "EINVAL";
        var before = _before.Load(_maps[pid]);
        var error = _maps[pid].MapFixed(addr, size, prot, MapProt.RWX, kind, 0, 0);
        if (error is null)
            RemoveTranslations(pid, before, addr, addr + size);
        DetachDropped();
        return error;
    }

    /// <summary>
    /// sys_mmap of anonymous memory without MAP_FIXED: the map layer's first fit. Nothing was mapped
    /// there, so the pmap is untouched until a fault.
    /// </summary>
    public string? MmapAnywhere(int pid, ulong size, MapProt prot, MapKind kind, out ulong addr)
    {
        addr = 0;
        if (!_alive[pid])
            return "ESRCH";
        if (WriteAndExecute(prot))
            return "ENOTSUP";
        if (StackWithoutReadWrite(kind, prot))
            return "EINVAL";
        return _maps[pid].MapAnywhere(size, prot, MapProt.RWX, kind, 0, 0, out addr);
    }

    /// <summary>
    /// sys_mmap and sys_mprotect, uvm_wxcheck: a process whose binary is not marked wxneeded on a
    /// wxallowed mount may not ask for PROT_WRITE and PROT_EXEC together; with kern.wxabort 0 (the
    /// default) the call fails. => true (ENOTSUP) for PROT_WRITE|PROT_EXEC, checked before any other
    /// argument but the protection bits
    /// </summary>
    private static bool WriteAndExecute(MapProt prot) => (prot & (MapProt.W | MapProt.X)) == (MapProt.W | MapProt.X);

    /// <summary>sys_mmap: MAP_STACK needs (prot &amp; (PROT_READ|PROT_WRITE)) == (PROT_READ|PROT_WRITE), else EINVAL.</summary>
    private static bool StackWithoutReadWrite(MapKind kind, MapProt prot) =>
        kind == MapKind.Stack && (prot & MapProt.RW) != MapProt.RW;

    /// <summary>
    /// The access a fault on a wired entry, or a wire fault, leaves in the pmap. uvm_fault_check gives it
    /// access_type = enter_prot ("full access for wired"); pmap_enter presets REF, and MOD for a write, from
    /// the access type on arm64 only (<see cref="PmapProfile.EnterPresetsRefMod"/>); on amd64 only the
    /// access the retried instruction makes sets PG_U/PG_M, and a wire fault retries none.
    /// => the pmap machines' Enter access: the entry's protection where pmap_enter presets, else
    ///    <paramref name="performed"/>
    /// </summary>
    private PmapProt WiredAccess(MapProt entryProtection, PmapProt performed) =>
        _pmap.Profile.EnterPresetsRefMod ? (PmapProt)(entryProtection & MapProt.RW) : performed;

    /// <summary>
    /// sys_mmap with MAP_FIXED and sys_munmap: => true (EINVAL) when addr + size wraps, passes
    /// VM_MAXUSER_ADDRESS, or addr is below VM_MIN_ADDRESS
    /// </summary>
    private bool OutsideUserSpace(ulong addr, ulong size) =>
        addr > ulong.MaxValue - size
        || addr + size > KernelWorld.MaxUserAddress(Arch)
        || addr < KernelWorld.MinUserAddress;

    /// <summary>
    /// sys_munmap: uvm_unmap_remove. => each removed entry that was wired has its pages unwired
    /// (uvm_fault_unwire_locked: pmap_unwire, uvm_pageunwire), then pmap_remove over it; the anons its
    /// amap reference was the last on are freed with their pages (uvm_anfree: pmap_page_protect(NONE),
    /// uvm_pagefree)
    /// </summary>
    public string? Munmap(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (OutsideUserSpace(addr, size))
            return "EINVAL";
        var before = _before.Load(_maps[pid]);
        var error = _maps[pid].Unmap(addr, size);
        if (error is null)
            RemoveTranslations(pid, before, addr, addr + size);
        DetachDropped();
        return error;
    }

    private void RemoveTranslations(int pid, MapView before, ulong start, ulong end)
    {
        foreach (var (va, _, entry) in before.MappedAnons())
        {
            if (va >= start && va < end && entry.WiredCount > 0)
                _pmap.Unwire(pid, va);
        }
        _pmap.Remove(pid, start, end);
        FreeDroppedAnons();
    }

    /// <summary>
    /// Pages and swap slots of anons that no process's amaps hold any more (uvm_anfree at an_ref 0) go back
    /// to the free list and the swap map. => nothing to walk for when no anon has a page or a slot
    /// </summary>
    private void FreeDroppedAnons()
    {
        if (_owner.Count == 0 && _anonSlot.Count == 0)
            return;
        _held.Clear();
        foreach (var map in _maps)
            map.Walk(_held);
        DropSwapOfDropped(_held.Anons);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_owner.TryGetValue(page, out int anon) && !_held.Anons.Contains(anon))
                FreePage(page);
        }
        SyncAnonWires();
    }

    private void FreePage(int page)
    {
        _pmap.PageProtect(page, PmapProt.None);
        _owner.Remove(page);
        _coreChanges++;
        Pages.Pages.Free(_uvm, _uvm.Frames[page]);
        _freed++;
    }

    /// <summary>
    /// sys_mprotect: uvm_map_protect. => for every entry of the range whose protection changes,
    /// pmap_protect(start, end, new protection &amp; MASK(entry)), where MASK drops PROT_WRITE from a
    /// copy-on-write entry (the next write faults and re-enters the page); pmap_protect never grants
    /// => ENOTSUP for PROT_WRITE|PROT_EXEC (<see cref="WriteAndExecute"/>), before the range is looked at
    /// </summary>
    public string? Mprotect(int pid, ulong addr, ulong size, MapProt prot)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (WriteAndExecute(prot))
            return "ENOTSUP";
        var before = _before.Load(_maps[pid]);
        ulong end = addr + size;
        var error = _maps[pid].Protect(addr, end, prot);
        if (error is not null)
            return error;
        foreach (var entry in before.Entries)
        {
            if (entry.End <= addr || entry.Start >= end || entry.Protection == prot || IsHole(entry))
                continue;
            var mask = (entry.EType & EType.CopyOnWrite) != 0 ? ~MapProt.W : MapProt.RWX;
            _pmap.Protect(pid, Math.Max(entry.Start, addr), Math.Min(entry.End, end), (PmapProt)(prot & mask));
        }
        return null;
    }

    private static bool IsHole(EntryFacts entry) => (entry.EType & EType.Hole) != 0;

    /// <summary>
    /// sys_mlock: uvm_map_pageable(wire). => the map layer wires the entries and runs uvm_fault_wire; each
    /// wire fault enters its page with PMAP_WIRED and the entry's protection (no access performed), a page
    /// allocated for each new anon; the pages faulted are those whose anon gained a wire
    /// => EINVAL when addr + size wraps; any error of uvm_map_pageable is ENOMEM (sys_mlock's
    ///    "error == 0 ? 0 : ENOMEM")
    /// </summary>
    public string? Mlock(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (addr > ulong.MaxValue - size)
            return "EINVAL";
        var before = _before.Load(_maps[pid]);
        if (MapsFile(before, addr, addr + size))
            return "EOPNOTSUPP";
        var error = _maps[pid].Pageable(addr, addr + size, unwire: false);
        if (error is not null)
            return "ENOMEM";
        var after = _after.Load(_maps[pid]);
        foreach (var (va, anon, entry) in after.MappedAnons())
        {
            int gained = after.Anons[anon].Wired - (before.Anons.TryGetValue(anon, out var old) ? old.Wired : 0);
            for (int i = 0; i < gained; i++)
            {
                ProtectReplaced(before, after, va);
                var access = WiredAccess(entry.Protection, PmapProt.None);
                if (EnterAnon(pid, va, anon, EnterProt(after, entry, anon), access, wired: true) is { } failed)
                {
                    SyncAnonWires();
                    return failed;
                }
                WiredDropsSwap(anon);
            }
        }
        SyncAnonWires();
        return null;
    }

    /// <summary>
    /// sys_munlock: uvm_map_pageable(unwire). => every page whose anon lost a wire is unwired in the pmap
    /// (uvm_fault_unwire_locked: pmap_unwire, uvm_pageunwire), once per wire lost
    /// => EINVAL when addr + size wraps; any error of uvm_map_pageable is ENOMEM
    /// </summary>
    public string? Munlock(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        if (addr > ulong.MaxValue - size)
            return "EINVAL";
        var before = _before.Load(_maps[pid]);
        var error = _maps[pid].Pageable(addr, addr + size, unwire: true);
        if (error is not null)
            return "ENOMEM";
        var after = _after.Load(_maps[pid]);
        foreach (var (va, anon, _) in after.MappedAnons())
        {
            int lost = before.Anons[anon].Wired - after.Anons[anon].Wired;
            for (int i = 0; i < lost; i++)
                _pmap.Unwire(pid, va);
        }
        SyncAnonWires();
        return null;
    }

    /// <summary>
    /// A user access: the MMU through the pmap; on a miss, trap → uvm_fault(map, va, fault type, access).
    /// => no process on the CPU: ESRCH; no entry maps the address: EFAULT, and the entry does not grant the
    ///    access: EACCES (uvm_fault_check's uvmfault_lookup and protection test, before anything changes:
    ///    SIGSEGV)
    /// => the map layer's fault finds or creates the anon (amap_copy and its chunking, zero fill);
    ///    a new anon gets the lowest free page, or the fault waits for memory forever (<see cref="KernelWorld.OutOfPages"/>)
    /// => pmap_enter(va, page, entry protection, access, PMAP_WIRED when the entry is wired); on a wired
    ///    entry the access is the entry's protection (uvm_fault_check's "full access for wired")
    /// </summary>
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
        if (!_maps[pid].Lookup(va, out var mapped, out _, out _, out _))
            return "EFAULT";
        if ((mapped.Protection & kind) != kind)
            return "EACCES";
        var before = _before.Load(_maps[pid]);
        var error = _maps[pid].Fault(va, kind);
        K.Kassert(error is null, "uvm_fault: the map layer refuses only what uvm_fault_check refused");
        var view = _after.Load(_maps[pid]);
        var entry = view.EntryAt(va)!.Value;
        int anon = view.AnonAt(entry, va);
        if (anon == 0)
        {
            K.Kassert(entry.Obj != 0, "uvm_fault: anonymous memory resolved to an anon");
            error = FaultFilePage(pid, va, entry, access, out page);
        }
        else
        {
            error = FaultAnon(pid, va, before, view, entry, anon, access, out page);
        }
        if (error is null)
            Stored(page, write);
        SyncAnonWires();
        return error;
    }

    /// <summary>
    /// The anon's page entered; an anon new to a file entry is a promotion (copy on write from the file),
    /// which reads the file's page in first to copy it.
    /// </summary>
    private string? FaultAnon(
        int pid,
        ulong va,
        MapView before,
        MapView view,
        EntryFacts entry,
        int anon,
        PmapProt access,
        out int page
    )
    {
        page = -1;
        if (AnonPagesIn(before, va, anon) is { } noPage)
            return noPage;
        if (entry.Obj != 0 && PageOf(anon) < 0 && !_anonSlot.ContainsKey(anon) && FilePageIn(entry, va) is null)
            return KernelWorld.OutOfPages;
        bool wired = entry.WiredCount > 0;
        if (wired)
            access = WiredAccess(entry.Protection, access);
        ProtectReplaced(before, view, va);
        if (EnterAnon(pid, va, anon, EnterProt(view, entry, anon), access, wired) is { } failed)
            return failed;
        Reactivate(anon);
        if (wired)
            WiredDropsSwap(anon);
        page = PageOf(anon);
        return null;
    }

    private string? EnterAnon(int pid, ulong va, int anon, MapProt prot, PmapProt access, bool wired)
    {
        if (PageFor(anon) is { } failed)
            return failed;
        _pmap.Enter(pid, va, PageOf(anon), (PmapProt)prot, access, wired, failAlloc: false);
        return null;
    }

    /// <summary>
    /// The anon's page, allocated when it has none: for a new anon, or for one whose page is in swap,
    /// which uvmfault_anonget reads in (uvm_swap_get: the page PG_CLEAN, swpgonly down by one; the anon
    /// keeps its slot). => null, or the wait for memory
    /// </summary>
    private string? PageFor(int anon)
    {
        if (PageOf(anon) >= 0)
            return null;
        int page = AllocatePage();
        if (page < 0)
            return KernelWorld.OutOfPages;
        _owner[page] = anon;
        _coreChanges++;
        _pmap.PageAllocated(page);
        _allocated++;
        bool fromSwap = _anonSlot.ContainsKey(anon);
        if (fromSwap)
            _uvm.Exp.SwpgOnly--;
        TakeAnonFrame(page, clean: fromSwap);
        return null;
    }

    private int PageOf(int anon)
    {
        foreach (var (page, owner) in _owner)
        {
            if (owner == anon)
                return page;
        }
        return -1;
    }

    /// <summary>
    /// uvm_pagealloc: the lowest free page. A page freed while still wired (the map layer's munlock
    /// and mprotect(PROT_NONE) quirks leave wires behind) stays off the free list: the pmap machines keep
    /// vm_page's wire count and have no uvm_pagefree to clear it.
    /// </summary>
    private int AllocatePage()
    {
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (!_owner.ContainsKey(page) && !IsFilePage(page) && _pmap.WireCount(page) == 0)
                return page;
        }
        return -1;
    }

    /// <summary>cpu_switchto: pmap_deactivate of the thread leaving, pmap_activate of the one arriving.</summary>
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

    /// <summary>
    /// exit1 → uvmspace_free: uvm_map_teardown and the pmap's teardown, in the order the pmap layer's
    /// machine for the architecture runs them (its Exit: threads leave the CPUs, the pages of wired
    /// entries are unwired, every mapping removed, pmap_destroy); uvm_map_teardown and uvm_unmap_detach
    /// drop the map's amap references. => the pages of the anons no other process holds are freed
    /// => <paramref name="interleaved"/>: the page daemon's pmap_clear_reference on the other CPU, which the
    ///    pmap's teardown meets when it has visited that many mappings (the pmap layer's exit runs it)
    /// </summary>
    public string? Exit(int pid, PvWalk? interleaved)
    {
        if (!_alive[pid])
            return "ESRCH";
        var view = _after.Load(_maps[pid]);
        var spans = new List<MapSpan>();
        foreach (var entry in view.Entries)
        {
            if (!IsHole(entry))
                spans.Add(new MapSpan(entry.Start, entry.End, entry.WiredCount > 0));
        }
        _pmap.Exit(pid, spans.ToArray(), interleaved);
        _maps[pid].Teardown();
        _alive[pid] = false;
        FreeDroppedAnons();
        DetachDropped();
        return null;
    }

    /// <summary>fork/exec into a dead slot: an empty vmspace (uvmspace_alloc, pmap_create). => EBUSY if alive</summary>
    public string? Spawn(int pid)
    {
        if (_alive[pid])
            return "EBUSY";
        _pmap.Exec(pid);
        _maps[pid].Reset();
        _alive[pid] = true;
        return null;
    }

    public ulong MapFingerprint(int pid)
    {
        SumMaps();
        return _ownSums[pid];
    }

    public ulong AnonFingerprint()
    {
        SumMaps();
        if (_mapsShare)
            return _mapSums.Shared;
        ulong shared = 0;
        foreach (ulong sum in _sharedSums)
            shared += sum;
        return shared;
    }

    /// <summary>
    /// Each map's own facts, and the amaps' and anons' once each. Nothing but a map routine on a map
    /// (<see cref="IVmMapMachine.Changes"/>) changes it, its amaps or its anons, and only fork puts an amap or
    /// anon in two maps: until a fork, a map is walked alone, only after a routine ran on it; after one,
    /// every map's amaps and anons are walked together (those they share counted once) after a routine ran
    /// on any, and a map's own facts again only after a routine ran on it.
    /// </summary>
    private void SumMaps()
    {
        if (!_mapsShare)
        {
            for (int pid = 0; pid < _maps.Length; pid++)
            {
                if (_maps[pid].Changes == _summedAt[pid])
                    continue;
                _mapSums.Begin(acrossMaps: false);
                _maps[pid].Walk(_mapSums);
                (_ownSums[pid], _sharedSums[pid]) = (_mapSums.Own, _mapSums.Shared);
                _summedAt[pid] = _maps[pid].Changes;
            }
            return;
        }
        bool changed = false;
        for (int pid = 0; pid < _maps.Length; pid++)
            changed |= _maps[pid].Changes != _summedAt[pid];
        if (!changed)
            return;
        _mapSums.Begin();
        for (int pid = 0; pid < _maps.Length; pid++)
        {
            if (_maps[pid].Changes == _summedAt[pid])
            {
                _maps[pid].Map.WalkAmaps(_mapSums);
                continue;
            }
            ulong before = _mapSums.Own;
            _maps[pid].Walk(_mapSums);
            _ownSums[pid] = _mapSums.Own - before;
            _summedAt[pid] = _maps[pid].Changes;
        }
    }

    public void WalkMap(int pid, IMapObserver observer) => _maps[pid].Walk(observer);

    public long MapChanges(int pid) => _maps[pid].Changes;

    public void WalkPmap(IPmapFactSink sink) => _pmap.Walk(sink);

    public long PmapChanges => _pmap.Changes - _pmap.CpuChanges;

    public int RunningOn(int cpu) => _pmap.CurrentOn(cpu);

    public long CoreChanges
    {
        get
        {
            int kmem = 0,
                alive = 0;
            for (int i = 0; i < KernelMemory.Pages; i++)
                kmem |= _kmemAllocated[i] ? 1 << i : 0;
            for (int pid = 0; pid < KernelWorld.Processes; pid++)
                alive |= _alive[pid] ? 1 << pid : 0;
            var now = (_faults, _allocated, _freed, kmem, _uvm.Exp.SwpgInUse, _uvm.Exp.SwpgOnly, alive);
            if (now != _coreSeen)
            {
                _coreSeen = now;
                _coreChanges++;
            }
            return _coreChanges;
        }
    }

    public void WalkKernel(IKernelFactSink sink)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
            sink.Process(pid, _alive[pid]);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_owner.TryGetValue(page, out int anon))
                sink.PageOwner(page, anon);
        }
        sink.Counters(_faults, _allocated, _freed);
        if (sink.WantsFiles)
            WalkFileFacts(sink);
        WalkKernelMemory(sink);
        WalkAnonSwap(sink);
    }
}
