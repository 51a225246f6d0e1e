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
/// through the layers as the reference does, with its own bookkeeping: a page table of owners indexed by
/// physical page and, per process, an array from anon id to page.
/// </summary>
public sealed partial class ComposedKernel : IKernelMachine
{
    private const int NoPage = -1;

    private readonly IVmMapMachine[] _maps;
    private readonly IPmapMachine _pmap;
    private readonly bool[] _alive = new bool[KernelWorld.Processes];
    private readonly int[] _ownerPid = new int[KernelWorld.Pages];
    private readonly int[] _ownerAnon = new int[KernelWorld.Pages];
    private readonly int[][] _pageOfAnon = new int[KernelWorld.Processes][];
    private readonly AnonScan _scan = new();
    private readonly AnonScan _before = new();
    private readonly WireScan _wires = new();
    private readonly List<(ulong, ulong)> _spans = [];
    private long _faults;
    private long _allocated;
    private long _freed;

    private readonly bool _unmapSkipsUnwire;
    private readonly bool _protectSkipsPmap;

    public long[] Probes { get; } = new long[KernelProbes.Names.Length];

    public ComposedKernel(Func<IVmMapMachine> newMap, IPmapMachine pmap, FaultSet faults)
    {
        _unmapSkipsUnwire = faults.Has(KernelFaults.UnmapSkipsUnwire);
        _protectSkipsPmap = faults.Has(KernelFaults.ProtectSkipsPmap);
        _maps = new IVmMapMachine[KernelWorld.Processes];
        for (int pid = 0; pid < _maps.Length; pid++)
        {
            _maps[pid] = newMap();
            _pageOfAnon[pid] = new int[16];
        }
        _pmap = pmap;
        CreateFiles(faults);
        Reset();
    }

    public Arch Arch => _pmap.Arch;

    public void Reset()
    {
        for (int pid = 0; pid < _maps.Length; pid++)
        {
            _maps[pid].Reset();
            Array.Fill(_pageOfAnon[pid], NoPage);
        }
        _pmap.Reset();
        Array.Fill(_alive, true);
        Array.Fill(_ownerPid, -1);
        Array.Clear(_ownerAnon);
        ResetFiles();
        _faults = _allocated = _freed = 0;
    }

    public string? Mmap(int pid, ulong addr, ulong size, MapProt prot, bool shared)
    {
        if (!_alive[pid])
            return "ESRCH";
        _before.Load(_maps[pid]);
        var error = _maps[pid].MapFixed(addr, size, prot, MapProt.RWX, shared ? MapKind.Shared : MapKind.Private, 0, 0);
        if (error is null)
            UnmapRemove(pid, addr, addr + size);
        DetachDropped();
        return error;
    }

    public string? MmapAnywhere(int pid, ulong size, MapProt prot, bool shared, out ulong addr)
    {
        addr = 0;
        if (!_alive[pid])
            return "ESRCH";
        return _maps[pid]
            .MapAnywhere(size, prot, MapProt.RWX, shared ? MapKind.Shared : MapKind.Private, 0, 0, out addr);
    }

    public string? Munmap(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        _before.Load(_maps[pid]);
        var error = _maps[pid].Unmap(addr, size);
        if (error is null)
            UnmapRemove(pid, addr, addr + size);
        DetachDropped();
        return error;
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
        _scan.Load(_maps[pid]);
        CountEntryRefs(pid, _scan);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerPid[page] == pid && !_scan.HoldsAnon(_ownerAnon[page]))
                Free(page);
        }
    }

    private void Free(int page)
    {
        _pmap.PageProtect(page, PmapProt.None);
        _pageOfAnon[_ownerPid[page]][_ownerAnon[page]] = NoPage;
        _ownerPid[page] = -1;
        _freed++;
    }

    public string? Mprotect(int pid, ulong addr, ulong size, MapProt prot)
    {
        if (!_alive[pid])
            return "ESRCH";
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
        _before.Load(_maps[pid]);
        if (MapsFile(_before.Entries, addr, addr + size))
            return "EOPNOTSUPP";
        var error = _maps[pid].Pageable(addr, addr + size, unwire: false);
        if (error is not null)
            return error;
        _scan.Load(_maps[pid]);
        for (int i = 0; i < _scan.Count; i++)
        {
            var page = _scan.Pages[i];
            int gained = _scan.WiredOf(page.Anon) - _before.WiredOf(page.Anon);
            for (int n = 0; n < gained; n++)
            {
                if (Enter(pid, page.Va, page.Anon, page.Protection, PmapProt.None, wired: true) < 0)
                    return KernelWorld.OutOfPages;
            }
        }
        return null;
    }

    public string? Munlock(int pid, ulong addr, ulong size)
    {
        if (!_alive[pid])
            return "ESRCH";
        _before.Load(_maps[pid]);
        var error = _maps[pid].Pageable(addr, addr + size, unwire: true);
        if (error is not null)
            return error;
        _scan.Load(_maps[pid]);
        for (int i = 0; i < _scan.Count; i++)
        {
            var page = _scan.Pages[i];
            int lost = _before.WiredOf(page.Anon) - _scan.WiredOf(page.Anon);
            for (int n = 0; n < lost; n++)
                _pmap.Unwire(pid, page.Va);
        }
        return null;
    }

    public string? Access(int cpu, ulong va, bool write, out int page)
    {
        var access = write ? PmapProt.Write : PmapProt.Read;
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
        if (_maps[pid].Fault(va, write) is { } error)
            return error;
        _scan.Load(_maps[pid]);
        int at = _scan.IndexOf(va);
        if (at < 0)
        {
            page = FaultFilePage(pid, va, access);
        }
        else
        {
            var resolved = _scan.Pages[at];
            if (
                resolved.Obj != 0
                && PageOfAnon(pid, resolved.Anon) < 0
                && FilePageIn(EntryAt(_scan.Entries, va), va) is null
            )
                return KernelWorld.OutOfPages;
            if (resolved.EntryWired)
                access = (PmapProt)(resolved.Protection & MapProt.RW);
            page = Enter(pid, va, resolved.Anon, resolved.Protection, access, resolved.EntryWired);
        }
        if (page < 0)
            return KernelWorld.OutOfPages;
        Stored(page, write);
        return null;
    }

    private int PageOfAnon(int pid, int anon) => anon < _pageOfAnon[pid].Length ? _pageOfAnon[pid][anon] : NoPage;

    /// <summary>pmap_enter of the anon's page, allocating one for a new anon. => the page, or -1 when none is free</summary>
    private int Enter(int pid, ulong va, int anon, MapProt prot, PmapProt access, bool wired)
    {
        var pages = _pageOfAnon[pid];
        if (anon >= pages.Length)
        {
            int old = pages.Length;
            Array.Resize(ref _pageOfAnon[pid], Math.Max(anon + 1, old * 2));
            pages = _pageOfAnon[pid];
            Array.Fill(pages, NoPage, old, pages.Length - old);
        }
        int page = pages[anon];
        if (page == NoPage)
        {
            page = FreePage();
            if (page < 0)
                return -1;
            _ownerPid[page] = pid;
            _ownerAnon[page] = anon;
            pages[anon] = page;
            _allocated++;
        }
        _pmap.Enter(pid, va, page, (PmapProt)prot, access, wired, failAlloc: false);
        return page;
    }

    /// <summary>uvm_pagealloc's choice: the lowest page no anon and no file holds and the pmap has not left wired.</summary>
    private int FreePage()
    {
        _wires.Reset();
        _pmap.Walk(_wires);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerPid[page] < 0 && _uvm.Frames[page].Object is null && _wires.Wired[page] == 0)
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

    public string? Exit(int pid)
    {
        if (!_alive[pid])
            return "ESRCH";
        _scan.Load(_maps[pid]);
        _spans.Clear();
        foreach (var entry in _scan.Entries)
        {
            if ((entry.EType & EType.Hole) == 0)
                _spans.Add((entry.Start, entry.End));
        }
        _pmap.Exit(pid, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_spans), null);
        _maps[pid].Reset();
        _alive[pid] = false;
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerPid[page] == pid)
                Free(page);
        }
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
        return null;
    }

    public ulong MapFingerprint(int pid) => _maps[pid].Fingerprint();

    public void WalkMap(int pid, IMapObserver observer) => _maps[pid].Walk(observer);

    public void WalkPmap(IPmapFactSink sink) => _pmap.Walk(sink);

    public void WalkKernel(IKernelFactSink sink)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
            sink.Process(pid, _alive[pid]);
        for (int page = 0; page < KernelWorld.Pages; page++)
        {
            if (_ownerPid[page] >= 0)
                sink.PageOwner(page, _ownerPid[page], _ownerAnon[page]);
        }
        sink.Counters(_faults, _allocated, _freed);
        WalkFiles(sink);
    }

    /// <summary>Each layer's own checks, then the composition's (<see cref="CrossLayer.Check"/>).</summary>
    public string? Check(bool full)
    {
        for (int pid = 0; pid < KernelWorld.Processes; pid++)
        {
            if (_maps[pid].Check() is { } broken)
                return $"process {pid} map: {broken}";
        }
        if (_pmap.CheckInvariants(full) is { } pmapBroken)
            return $"pmap: {pmapBroken}";
        if ((FilesChanged() || full) && Invariants.Check(_uvm) is { } objectsBroken)
            return $"objects: {objectsBroken}";
        return CrossLayer.Check(this);
    }
}
