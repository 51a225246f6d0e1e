using UvmDiff.Spec.Map;
using UvmDiff.Spec.Objects;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>The reference kernel's msync, madvise and page daemon: uvm_map_clean and uvm_pdaemon.c.</summary>
public sealed partial class ReferenceKernel
{
    /// <summary>
    /// sys_msync: PGO_CLEANIT|PGO_SYNCIO always (MS_ASYNC is forced synchronous), PGO_FREE with
    /// MS_INVALIDATE; then uvm_map_clean. => ESRCH for a dead process
    /// </summary>
    public string? Msync(int pid, ulong addr, ulong size, MsyncMode mode)
    {
        if (!_alive[pid])
            return "ESRCH";
        var flags = PgoFlags.CleanIt | PgoFlags.SyncIo;
        if (mode == MsyncMode.Invalidate)
            flags |= PgoFlags.Free;
        return MapClean(pid, addr, addr + size, flags);
    }

    /// <summary>
    /// sys_madvise: NORMAL, RANDOM, SEQUENTIAL set the entries' advice (uvm_map_advice); WILLNEED does
    /// nothing ("XXX IMPLEMENT ME"); DONTNEED is uvm_map_clean(PGO_DEACTIVATE), FREE
    /// uvm_map_clean(PGO_FREE). => ESRCH for a dead process; the map layer's errors for the advice
    /// </summary>
    public string? Madvise(int pid, ulong addr, ulong size, MadviseMode mode)
    {
        if (!_alive[pid])
            return "ESRCH";
        return mode switch
        {
            MadviseMode.Normal => _maps[pid].Advise(addr, addr + size, Advice.Normal),
            MadviseMode.Random => _maps[pid].Advise(addr, addr + size, Advice.Random),
            MadviseMode.Sequential => _maps[pid].Advise(addr, addr + size, Advice.Sequential),
            MadviseMode.WillNeed => null,
            MadviseMode.DontNeed => MapClean(pid, addr, addr + size, PgoFlags.Deactivate),
            _ => MapClean(pid, addr, addr + size, PgoFlags.Free),
        };
    }

    /// <summary>
    /// uvm_map_clean(map, start, end, flags).
    /// => EINVAL for a range reversed or outside the map's [min_offset, max_offset], which for a
    ///    process's map are VM_MIN_ADDRESS and VM_MAXUSER_ADDRESS
    /// => EFAULT unless every page of the range lies in a non-HOLE entry; nothing done then
    /// => the amap layer, entry by entry: with DEACTIVATE, or CLEANIT|FREE, every resident anon page
    ///    that is not wired is deactivated (pmap_page_protect(PROT_NONE), uvm_pagedeactivate's
    ///    pmap_clear_reference); the anons PGO_FREE alone frees (amap_unadd, uvm_anfree) are left
    ///    alone: the map layer has no amap_unadd, so MADV_FREE of anonymous memory is outside the model
    /// => the object layer: pgo_flush = uvn_flush over the entry's part of the range, at its offset in
    ///    the file, unless PGO_FREE is asked of an entry without write permission or copy-on-write;
    ///    a flush that fails makes the result EFAULT
    /// => the entries are those of the map when the call began, read into a view of its own: a flush
    ///    may sleep while other ops run, and they reuse the kernel's scratch views
    /// </summary>
    private string? MapClean(int pid, ulong start, ulong end, PgoFlags flags)
    {
        if (start > end || start < KernelWorld.MinUserAddress || end > KernelWorld.MaxUserAddress(Arch))
            return "EINVAL";
        var view = MapView.Of(_maps[pid]);
        for (ulong va = start; va < end; va += MapConst.PageSize)
        {
            if (view.EntryAt(va) is not { } covering || IsHole(covering))
                return "EFAULT";
        }
        string? error = null;
        foreach (var entry in view.Entries)
        {
            if (entry.End <= start || entry.Start >= end)
                continue;
            ulong from = Math.Max(entry.Start, start);
            ulong to = Math.Min(entry.End, end);
            if (DeactivatesAnons(flags))
                DeactivateAnons(pid, view, entry, from, to);
            if (entry.Obj == 0)
                continue;
            bool writable = (entry.MaxProtection & Map.Prot.W) != 0 && (entry.EType & EType.CopyOnWrite) == 0;
            if ((flags & PgoFlags.Free) != 0 && !writable)
                continue;
            long offset = (long)(entry.Offset + (from - entry.Start));
            if (!FlushFile(entry.Obj, offset, offset + (long)(to - from), flags))
                error = "EFAULT";
        }
        return error;
    }

    /// <summary>uvm_map_clean's switch on CLEANIT|FREE|DEACTIVATE: the three cases that deactivate.</summary>
    private static bool DeactivatesAnons(PgoFlags flags) =>
        (flags & (PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.Deactivate))
            is (PgoFlags.CleanIt | PgoFlags.Free)
                or (PgoFlags.CleanIt | PgoFlags.Deactivate)
                or PgoFlags.Deactivate;

    private void DeactivateAnons(int pid, MapView view, EntryFacts entry, ulong from, ulong to)
    {
        for (ulong va = from; va < to; va += MapConst.PageSize)
        {
            int anon = view.AnonAt(entry, va);
            if (anon == 0 || view.Anons[anon].Wired != 0 || PageOf(anon) is not (>= 0 and var page))
                continue;
            DeactivateAnonPage(page);
        }
    }

    /// <summary>
    /// The page daemon on one physical page (<see cref="FileDaemon"/>), with the pmap around it as for
    /// the object routines; on a page of kernel_object or the GEM object, <see cref="AobjPageDaemon"/>.
    /// => ENOENT for a page no object holds
    /// </summary>
    public string? PageDaemon(int page, DaemonAction action)
    {
        var pg = _uvm.Frames[page];
        if (_owner.TryGetValue(page, out int anon))
            return AnonPageDaemon(page, anon, action);
        if (pg.Object is null)
            return "ENOENT";
        if (pg.Object is AnonObject aobj)
            return AobjPageDaemon(aobj, pg, action);
        return WithPmap(() =>
            action switch
            {
                DaemonAction.Deactivate => FileDaemon.Deactivate(_uvm, pg),
                DaemonAction.Clean => FileDaemon.Clean(_uvm, pg),
                DaemonAction.Pageout => FileDaemon.StartPageout(_uvm, pg),
                _ => FileDaemon.Free(_uvm, pg),
            }
        );
    }
}
