using UvmDiff.Implementations.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>
/// The composed kernel's files: vnode objects over the object layer's implementation (red-black page
/// trees, seed 000's range-iterating uvn_flush), their pages taken from the kernel's physical pages.
/// Per process the entry references each file has, as that process's map last counted them.
/// </summary>
public sealed partial class ComposedKernel : IFlushWork
{
    private readonly Uvm _uvm = new(KernelWorld.Pages, KernelMemory.SwapSlots);
    private readonly VnodeObject[] _files = new VnodeObject[KernelFiles.Count + 1];
    private readonly int[,] _entryRefs = new int[KernelWorld.Processes, KernelFiles.Count + 1];
    private readonly int[] _fileRefs = new int[KernelFiles.Count + 1];
    private readonly bool[] _fileValid = new bool[KernelFiles.Count + 1];
    private readonly bool[] _filePersist = new bool[KernelFiles.Count + 1];
    private readonly bool[] _wasFilePage = new bool[KernelWorld.Pages];
    private readonly bool[] _wasInactive = new bool[KernelWorld.Pages];
    private readonly (int File, ulong Offset)[] _fileIdentity = new (int, ulong)[KernelWorld.Pages];
    private bool _playingBack;
    private RangeRoutines _routines = null!;

    public long Flushes { get; private set; }

    public long FlushNodes { get; private set; }

    /// <summary>The object layer's probe counts of the routines these files run.</summary>
    public long[] ObjectProbes => _routines.ProbeCounts;

    public int AnonOf(int page) => _ownerAnon[page];

    /// <summary>
    /// While a routine's pmap work is played back, a page it freed answers as the file page it was: the
    /// kernel runs pmap_page_protect before uvm_pagefree, while the page still belongs to the object.
    /// </summary>
    public bool FilePageOf(int page, out int file, out ulong offset)
    {
        var pg = _uvm.Frames[page];
        if (pg.Object is null && _playingBack && _wasFilePage[page])
        {
            (file, offset) = _fileIdentity[page];
            return true;
        }
        file = pg.Object?.Id ?? 0;
        offset = (ulong)pg.Offset;
        return pg.Object is not null;
    }

    private void CreateFiles(FaultSet faults)
    {
        _routines = new RangeRoutines(faults);
        for (int file = 1; file <= KernelFiles.Count; file++)
            _files[file] = _uvm.Add(new VnodeObject(file, _routines.NewPageIndex(), (long)KernelFiles.Bytes));
    }

    private void ResetFiles()
    {
        _uvm.Reset();
        _whileAsleep = null;
        Array.Clear(_entryRefs);
        Array.Clear(_fileRefs);
        Array.Clear(_fileValid);
        Array.Clear(_filePersist);
    }

    public string? MmapFile(
        int pid,
        ulong? addr,
        ulong size,
        MapProt prot,
        int file,
        ulong offset,
        bool shared,
        out ulong chosen
    )
    {
        chosen = 0;
        if (!_alive[pid])
            return "ESRCH";
        if (WxViolation(prot))
            return "ENOTSUP";
        if (addr is { } fixedAt && !InUserSpace(fixedAt, size))
            return "EINVAL";
        if (offset + size > KernelFiles.Bytes)
            return "EINVAL";
        if (!_fileValid[file])
        {
            _fileValid[file] = true;
            _filePersist[file] = true;
        }
        _fileRefs[file]++;
        if (shared)
            _filePersist[file] = false;
        var kind = shared ? MapKind.FileShared : MapKind.FilePrivate;
        string? error;
        if (addr is { } at)
        {
            LoadBeforeUnmap(pid);
            error = _maps[pid].MapFixed(at, size, prot, MapProt.RWX, kind, file, offset);
            if (error is null)
            {
                UnmapRemove(pid, at, at + size);
                chosen = at;
            }
        }
        else
        {
            error = _maps[pid].MapAnywhere(size, prot, MapProt.RWX, kind, file, offset, out chosen);
            if (error is null)
                _entryRefs[pid, file]++;
        }
        DetachDropped();
        return error;
    }

    /// <summary>The entry references of a process as its map counts them.</summary>
    private void CountEntryRefs(int pid)
    {
        for (int file = 1; file <= KernelFiles.Count; file++)
            _entryRefs[pid, file] = _maps[pid].ObjectRefs(file) - 1;
    }

    /// <summary>
    /// pgo_detach of the references that went; the last one runs uvn_detach's flush. The count is taken
    /// before the flush: ops that run while it sleeps may drop references of their own.
    /// </summary>
    private void DetachDropped()
    {
        for (int file = 1; file <= KernelFiles.Count; file++)
        {
            int held = 0;
            for (int pid = 0; pid < KernelWorld.Processes; pid++)
                held += _entryRefs[pid, file];
            bool last = held == 0 && _fileRefs[file] > 0;
            _fileRefs[file] = held;
            if (last)
            {
                if (_filePersist[file])
                {
                    Flush(file, 0, 0, PgoFlags.Deactivate | PgoFlags.AllPages);
                }
                else
                {
                    Flush(file, 0, 0, PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.AllPages);
                    _fileValid[file] = false;
                    _filePersist[file] = false;
                }
            }
        }
    }

    /// <summary>uvn_flush on a file with the pmap loaded into the pages before and played back after.</summary>
    private bool Flush(int file, long start, long stop, PgoFlags flags)
    {
        var index = _files[file].Pages;
        long before = index.NodesVisited;
        LoadPmap();
        bool ok = _routines.UvnFlush(_uvm, _files[file], start, stop, flags);
        PlayBackPmap();
        Flushes++;
        FlushNodes += index.NodesVisited - before;
        return ok;
    }

    /// <summary>Each file page mapped for writing as far as the object layer knows, with the pmap's modified bit.</summary>
    private void LoadPmap()
    {
        LoadPages();
        _uvm.BeginOperation();
        _uvm.Changes.Clear();
    }

    private void LoadPages()
    {
        var frames = _uvm.Frames;
        for (int page = 0; page < frames.Length; page++)
        {
            var pg = frames[page];
            _wasFilePage[page] = pg.Object is VnodeObject;
            if (!_wasFilePage[page])
                continue;
            _wasInactive[page] = pg.Has(PgFlags.QueueInactive);
            _fileIdentity[page] = (pg.Object!.Id, (ulong)pg.Offset);
            pg.Mapping = PmapMapping.Write;
            pg.PmapModified = _pmap.IsModified(page);
        }
    }

    /// <summary>What the object layer did to the pages' mappings and bits, done to the pmap.</summary>
    private void PlayBackPmap()
    {
        var frames = _uvm.Frames;
        _playingBack = true;
        for (int page = 0; page < frames.Length; page++)
        {
            if (!_wasFilePage[page])
                continue;
            var pg = frames[page];
            bool resident = pg.Object is not null;
            if (!resident || pg.Mapping == PmapMapping.None)
                _pmap.PageProtect(page, PmapProt.None);
            else if (pg.Mapping == PmapMapping.Read)
                _pmap.PageProtect(page, PmapProt.Read);
            if (!resident)
            {
                _freed++;
                continue;
            }
            if (!pg.PmapModified && _pmap.IsModified(page))
                _pmap.ClearModify(page);
            if (!_wasInactive[page] && pg.Has(PgFlags.QueueInactive))
                _pmap.ClearReference(page);
        }
        _playingBack = false;
    }

    private static bool MapsFile(List<EntryFacts> entries, ulong start, ulong end)
    {
        foreach (var entry in entries)
        {
            if (entry.Obj != 0 && entry.Start < end && start < entry.End)
                return true;
        }
        return false;
    }

    /// <summary>uvm_fault_lower entering a file's page (read-only on a copy-on-write entry).</summary>
    private int FaultFilePage(int pid, ulong va, EntryFacts entry, PmapProt access)
    {
        var pg = FilePageIn(entry, va);
        if (pg is null)
            return -1;
        var prot = entry.Protection;
        if ((entry.EType & EType.CopyOnWrite) != 0)
            prot &= ~MapProt.W;
        _pmap.Enter(pid, va, pg.Frame, (PmapProt)prot, access, wired: false, failAlloc: false);
        return pg.Frame;
    }

    /// <summary>The file page a fault maps or copies from, read in if need be, and activated.</summary>
    private VmPage? FilePageIn(EntryFacts entry, ulong va)
    {
        var vn = _files[entry.Obj];
        long offset = (long)(entry.Offset + (va - entry.Start));
        var pg = vn.Pages.Lookup(offset);
        if (pg is null)
        {
            int page = FreePage();
            if (page < 0)
                return null;
            _uvm.BeginOperation();
            _uvm.Changes.Clear();
            _uvm.PutOnTop(_uvm.Frames[page]);
            pg = Uvn.Get(_uvm, vn, offset, "uvm_fault", out _)!;
            _pmap.PageAllocated(page);
            _allocated++;
            Spec.Pages.Pages.Unbusy(_uvm, pg);
        }
        FileDaemon.WaitForIo(_uvm, pg);
        _uvm.LockPageq();
        Spec.Pages.Pages.Activate(_uvm, pg);
        _uvm.UnlockPageq();
        return pg;
    }

    private void Stored(int page, bool write)
    {
        if (write && _uvm.Frames[page].Object is not null)
            _uvm.Frames[page].Data = ++_uvm.WriteCounter;
    }

    public long FileChanges => _uvm.Changes.Count;

    public void WalkFiles(IKernelFactSink sink)
    {
        WalkFileFacts(sink);
        WalkAnonObjects(sink);
        WalkAnonPagesClean(sink);
    }

    /// <summary>The vnodes' resident pages and written blocks, and the page queues.</summary>
    private void WalkFileFacts(IKernelFactSink sink)
    {
        for (int file = 1; file <= KernelFiles.Count; file++)
        {
            var tree = (RbPageTree)_files[file].Pages;
            for (var pg = tree.NFind(0); pg is not null; pg = tree.Next(pg))
            {
                var queue =
                    pg.Has(PgFlags.QueueActive) ? QueueKind.Active
                    : pg.Has(PgFlags.QueueInactive) ? QueueKind.Inactive
                    : QueueKind.None;
                sink.FilePage(file, pg.Offset, pg.Frame, pg.Has(PgFlags.Clean), queue, pg.Data);
            }
        }
        for (int file = 1; file <= KernelFiles.Count; file++)
        {
            var blocks = _files[file].File;
            for (int block = 0; block < blocks.Length; block++)
            {
                if (blocks[block] != 0)
                    sink.FileBlock(file, block, blocks[block]);
            }
        }
        int position = 0;
        for (var pg = _uvm.Active.Head; pg is not null; pg = pg.QueueNext)
            sink.QueuedPage(QueueKind.Active, position++, pg.Frame);
        position = 0;
        for (var pg = _uvm.Inactive.Head; pg is not null; pg = pg.QueueNext)
            sink.QueuedPage(QueueKind.Inactive, position++, pg.Frame);
    }
}
