using UvmDiff.Spec.Map;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using MapProt = UvmDiff.Spec.Map.Prot;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The reference kernel's files: one vnode object per file over the reference object layer (hash page
/// index, the per-offset uvn_flush of <see cref="ReferenceRoutines"/>). The object layer's page frames are
/// the kernel's physical pages: a frame an object holds is an object page, one in <c>_owner</c> an anon's,
/// and a page is free when neither holds it. The object layer stands for the pmap with each page's
/// Mapping and PmapModified; around each of its routines the kernel loads them from the pmap and plays
/// back what the routine did to them as pmap_page_protect and pmap_clear_modify.
/// </summary>
public sealed partial class ReferenceKernel : IFlushWork
{
    private readonly Uvm _uvm = new(KernelWorld.Pages, KernelMemory.SwapSlots);
    private readonly VnodeObject[] _files = new VnodeObject[KernelFiles.Count + 1];

    /// <summary>uo_refs of each file object: the map entries that reference it.</summary>
    private readonly int[] _fileRefs = new int[KernelFiles.Count + 1];

    /// <summary>UVM_VNODE_VALID: attached since the last time the last reference went.</summary>
    private readonly bool[] _fileValid = new bool[KernelFiles.Count + 1];

    /// <summary>UVM_VNODE_CANPERSIST: the pages stay cached when the last reference goes.</summary>
    private readonly bool[] _filePersist = new bool[KernelFiles.Count + 1];

    private void CreateFiles()
    {
        for (int file = 1; file <= KernelFiles.Count; file++)
            _files[file] = _uvm.Add(new VnodeObject(file, new HashPageIndex(), (long)KernelFiles.Bytes));
    }

    private void ResetFiles()
    {
        _uvm.Reset();
        _whileAsleep = null;
        Array.Clear(_fileRefs);
        Array.Clear(_fileValid);
        Array.Clear(_filePersist);
    }

    /// <summary>
    /// sys_mmap of a file: uvm_mmapfile. uvn_attach takes a reference (VALID|CANPERSIST on a vnode not
    /// attached); a MAP_SHARED mapping whose maxprot allows writing (always: files are opened read-write)
    /// runs uvm_vnp_uncache, so the object will not persist; then uvm_map as for anonymous memory (with
    /// MAP_FIXED, what was there is removed); on an error the reference is dropped again (pgo_detach).
    /// => ESRCH for a dead process; ENOTSUP for PROT_WRITE|PROT_EXEC, as sys_mmap checks it first
    /// => EINVAL for a mapping past the end of the file: the model refuses it where the kernel would
    ///    map it and SIGBUS the fault
    /// => every reference dropped by a removed entry is a uvn_detach (<see cref="DetachDropped"/>)
    /// </summary>
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
        if (WriteAndExecute(prot))
            return "ENOTSUP";
        if (addr is { } fixedAt && OutsideUserSpace(fixedAt, size))
            return "EINVAL";
        if (offset + size > KernelFiles.Bytes)
            return "EINVAL";
        if (!_fileValid[file])
            _fileValid[file] = _filePersist[file] = true;
        _fileRefs[file]++;
        if (shared)
            _filePersist[file] = false;
        var kind = shared ? MapKind.FileShared : MapKind.FilePrivate;
        string? error;
        if (addr is { } at)
        {
            var before = _before.Load(_maps[pid]);
            error = _maps[pid].MapFixed(at, size, prot, MapProt.RWX, kind, file, offset);
            if (error is null)
            {
                RemoveTranslations(pid, before, at, at + size);
                chosen = at;
            }
        }
        else
        {
            error = _maps[pid].MapAnywhere(size, prot, MapProt.RWX, kind, file, offset, out chosen);
        }
        DetachDropped();
        return error;
    }

    /// <summary>
    /// uvm_unmap_detach's pgo_detach for every entry reference that went: the references now are those
    /// the maps count (each map counts one for the file itself besides its entries); more than that held
    /// means entries were removed. References taken by clipping are taken up here too.
    /// => the last reference of a file runs uvn_detach's flush (<see cref="LastDetach"/>)
    /// </summary>
    private void DetachDropped()
    {
        if (Array.TrueForAll(_fileRefs, refs => refs == 0))
            return;
        for (int file = 1; file <= KernelFiles.Count; file++)
        {
            int held = HeldRefs(file);
            bool last = held == 0 && _fileRefs[file] > 0;
            _fileRefs[file] = held;
            if (last)
                LastDetach(file);
        }
    }

    /// <summary>
    /// The entry references the maps hold on <paramref name="file"/> now (each map's count less the one it
    /// keeps for the file itself). Counted file by file, after the last detach of the ones before: other
    /// processes may have unmapped or exited while its flush slept (<see cref="WhileAsleep"/>).
    /// </summary>
    private int HeldRefs(int file)
    {
        int held = 0;
        foreach (var map in _maps)
            held += map.ObjectRefs(file) - 1;
        return held;
    }

    /// <summary>
    /// uvn_detach when the last reference goes: a persisting vnode keeps its pages, deactivated
    /// (uvn_flush PGO_DEACTIVATE|PGO_ALLPAGES); any other is flushed out, dirty pages written and every
    /// page freed (PGO_CLEANIT|PGO_FREE|PGO_ALLPAGES), and is no longer attached (u_flags = 0).
    /// </summary>
    private void LastDetach(int file)
    {
        if (_filePersist[file])
        {
            FlushFile(file, 0, 0, PgoFlags.Deactivate | PgoFlags.AllPages);
            return;
        }
        FlushFile(file, 0, 0, PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.AllPages);
        _fileValid[file] = _filePersist[file] = false;
    }

    /// <summary>
    /// pgo_flush = uvn_flush on a file, with the pmap around it: each object page starts out mapped for
    /// writing as far as the object layer knows (so any pmap_page_protect it makes shows) with the pmap's
    /// modified bit; afterwards a page the routine took every mapping of, or freed, gets
    /// pmap_page_protect(PROT_NONE), one it made read-only pmap_page_protect(PROT_READ), a resident page
    /// whose modified bit it cleared pmap_clear_modify, and a page it deactivated pmap_clear_reference
    /// (uvm_pagedeactivate's). => uvn_flush's result
    /// </summary>
    private bool FlushFile(int file, long start, long stop, PgoFlags flags)
    {
        var index = _files[file].Pages;
        long before = index.NodesVisited;
        bool ok = WithPmap(() => ReferenceRoutines.Instance.UvnFlush(_uvm, _files[file], start, stop, flags));
        Flushes++;
        FlushNodes += index.NodesVisited - before;
        return ok;
    }

    public long Flushes { get; private set; }

    public long FlushNodes { get; private set; }

    private T WithPmap<T>(Func<T> routine)
    {
        LoadPmap();
        _uvm.BeginOperation();
        var result = routine();
        PlayBackPmap();
        return result;
    }

    /// <summary>The object pages as the routine starts, each with whether it was on the inactive queue.</summary>
    private readonly Dictionary<VmPage, bool> _loaded = [];

    private void LoadPmap()
    {
        _loaded.Clear();
        foreach (var pg in _uvm.Frames)
        {
            if (pg.Object is not VnodeObject)
                continue;
            _loaded[pg] = pg.Has(PgFlags.QueueInactive);
            pg.Mapping = PmapMapping.Write;
            pg.PmapModified = _pmap.IsModified(pg.Frame);
        }
    }

    private void PlayBackPmap()
    {
        foreach (var (pg, wasInactive) in _loaded)
        {
            if (pg.Object is null || pg.Mapping == PmapMapping.None)
                _pmap.PageProtect(pg.Frame, PmapProt.None);
            else if (pg.Mapping == PmapMapping.Read)
                _pmap.PageProtect(pg.Frame, PmapProt.Read);
            if (pg.Object is null)
            {
                _freed++;
                continue;
            }
            if (!pg.PmapModified && _pmap.IsModified(pg.Frame))
                _pmap.ClearModify(pg.Frame);
            if (!wasInactive && pg.Has(PgFlags.QueueInactive))
                _pmap.ClearReference(pg.Frame);
        }
    }

    /// <summary>
    /// Does a file entry overlap [start, end)? mlock of a file's pages is outside this model (uvm_fault_wire
    /// would wire object pages, which the kernel here never does), so sys_mlock refuses such a range
    /// before touching the map.
    /// </summary>
    private static bool MapsFile(MapView view, ulong start, ulong end)
    {
        foreach (var entry in view.Entries)
        {
            if (entry.Obj != 0 && entry.Start < end && start < entry.End)
                return true;
        }
        return false;
    }

    /// <summary>Is the physical page a resident page of a file?</summary>
    private bool IsFilePage(int page) => _uvm.Frames[page].Object is not null;

    /// <summary>
    /// uvm_fault_lower on a file entry without an anon there: the object page, brought in by uvn_get if
    /// it is not resident, entered with the entry's protection less PROT_WRITE on a copy-on-write entry
    /// (a read fault maps the file's page read-only; the write that follows promotes), then activated.
    /// => no free page: the fault waits for memory (<see cref="KernelWorld.OutOfPages"/>)
    /// </summary>
    private string? FaultFilePage(int pid, ulong va, EntryFacts entry, PmapProt access, out int page)
    {
        page = -1;
        var pg = FilePageIn(entry, va);
        if (pg is null)
            return KernelWorld.OutOfPages;
        var prot = entry.Protection;
        if ((entry.EType & EType.CopyOnWrite) != 0)
            prot &= ~MapProt.W;
        _pmap.Enter(pid, va, pg.Frame, (PmapProt)prot, access, wired: false, failAlloc: false);
        page = pg.Frame;
        return null;
    }

    /// <summary>
    /// The object page under <paramref name="va"/> that a fault uses, mapped or copied from: resident
    /// (once any pageout in flight on it completes), or read in by uvn_get into the lowest free page (uvm_pagealloc resets the page's pmap attributes:
    /// pmap_clear_modify, pmap_clear_reference) and unbusied; either way activated, as uvm_fault_lower
    /// does with the page it maps and with the page it promoted from.
    /// => null when no page is free
    /// </summary>
    private VmPage? FilePageIn(EntryFacts entry, ulong va)
    {
        var vn = _files[entry.Obj];
        long offset = (long)(entry.Offset + (va - entry.Start));
        var pg = Pages.Pages.Lookup(vn, offset) ?? ReadFilePage(vn, offset);
        if (pg is null)
            return null;
        FileDaemon.WaitForIo(_uvm, pg);
        _uvm.LockPageq();
        Pages.Pages.Activate(_uvm, pg);
        _uvm.UnlockPageq();
        return pg;
    }

    private VmPage? ReadFilePage(VnodeObject vn, long offset)
    {
        int page = AllocatePage();
        if (page < 0)
            return null;
        _uvm.BeginOperation();
        _uvm.PutOnTop(_uvm.Frames[page]);
        var pg = Uvn.Get(_uvm, vn, offset, "uvm_fault", out _)!;
        _pmap.PageAllocated(page);
        _allocated++;
        Pages.Pages.Unbusy(_uvm, pg);
        return pg;
    }

    /// <summary>A store to a file's page puts a new content word in it: the kernel's count of such stores.</summary>
    private void Stored(int page, bool write)
    {
        if (write && IsFilePage(page))
            _uvm.Frames[page].Data = ++_uvm.WriteCounter;
    }

    /// <summary>An object's pages in offset order, for <see cref="WalkFiles"/> and <see cref="WalkKernelMemory"/> (storage kept between walks).</summary>
    private readonly List<VmPage> _walkedPages = [];

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
        var pages = _walkedPages;
        for (int file = 1; file <= KernelFiles.Count; file++)
        {
            pages.Clear();
            _files[file].Pages.CollectInOrder(pages);
            foreach (var pg in pages)
                sink.FilePage(file, pg.Offset, pg.Frame, pg.Has(PgFlags.Clean), QueueOf(pg), pg.Data);
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
        WalkQueue(sink, _uvm.Active, QueueKind.Active);
        WalkQueue(sink, _uvm.Inactive, QueueKind.Inactive);
    }

    private static void WalkQueue(IKernelFactSink sink, PageQueue queue, QueueKind kind)
    {
        int position = 0;
        for (var pg = queue.Head; pg is not null; pg = pg.QueueNext)
            sink.QueuedPage(kind, position++, pg.Frame);
    }

    private static QueueKind QueueOf(VmPage pg) =>
        pg.Has(PgFlags.QueueActive) ? QueueKind.Active
        : pg.Has(PgFlags.QueueInactive) ? QueueKind.Inactive
        : QueueKind.None;
}
