using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Objects;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Implementations.Kernel;

/// <summary>The composed kernel's msync, madvise (uvm_map_clean) and page daemon.</summary>
public sealed partial class ComposedKernel
{
    public string? Msync(int pid, ulong addr, ulong size, MsyncMode mode)
    {
        if (!_alive[pid])
            return "ESRCH";
        return MapClean(
            pid,
            addr,
            addr + size,
            mode == MsyncMode.Invalidate
                ? PgoFlags.CleanIt | PgoFlags.SyncIo | PgoFlags.Free
                : PgoFlags.CleanIt | PgoFlags.SyncIo
        );
    }

    public string? Madvise(int pid, ulong addr, ulong size, MadviseMode mode)
    {
        if (!_alive[pid])
            return "ESRCH";
        switch (mode)
        {
            case MadviseMode.Normal:
            case MadviseMode.Random:
            case MadviseMode.Sequential:
                return _maps[pid].Advise(addr, addr + size, (Advice)mode);
            case MadviseMode.WillNeed:
                return null;
            case MadviseMode.DontNeed:
                return MapClean(pid, addr, addr + size, PgoFlags.Deactivate);
            default:
                return MapClean(pid, addr, addr + size, PgoFlags.Free);
        }
    }

    /// <summary>
    /// The map uvm_map_clean works on, read once: ops another CPU runs while a flush sleeps load the
    /// other scans, so it has its own.
    /// </summary>
    private readonly AnonScan _cleaning = new();

    /// <summary>
    /// uvm_map_clean: the hole check, then entry by entry the amap's deactivations and the object's flush,
    /// in the kernel's order: the ops that run while a flush sleeps can map a later entry's anons in
    /// another process, and the deactivation that follows takes those mappings too.
    /// </summary>
    private string? MapClean(int pid, ulong start, ulong end, PgoFlags flags)
    {
        if (start > end || start < KernelWorld.MinUserAddress || end > KernelWorld.MaxUserAddress(Arch))
            return "EINVAL";
        _cleaning.Load(_maps[pid]);
        var entries = _cleaning.Entries;
        ulong covered = start;
        foreach (var entry in entries)
        {
            if (entry.End <= covered || entry.Start >= end)
                continue;
            if (entry.Start > covered || (entry.EType & EType.Hole) != 0)
                return "EFAULT";
            covered = entry.End;
        }
        if (covered < end)
            return "EFAULT";
        var kind = flags & (PgoFlags.CleanIt | PgoFlags.Free | PgoFlags.Deactivate);
        bool deactivate = kind != PgoFlags.Free && (kind & (PgoFlags.Free | PgoFlags.Deactivate)) != 0;
        string? error = null;
        int next = 0;
        foreach (var entry in entries)
        {
            if (entry.End <= start || entry.Start >= end)
                continue;
            ulong from = Math.Max(entry.Start, start);
            ulong to = Math.Min(entry.End, end);
            if (deactivate)
                next = DeactivateAnons(next, from, to);
            if (
                entry.Obj == 0
                || (
                    (flags & PgoFlags.Free) != 0
                    && ((entry.MaxProtection & Prot.W) == 0 || (entry.EType & EType.CopyOnWrite) != 0)
                )
            )
                continue;
            long offset = (long)(entry.Offset + (from - entry.Start));
            if (!Flush(entry.Obj, offset, offset + (long)(to - from), flags))
                error = "EFAULT";
        }
        return error;
    }

    /// <summary>
    /// The resident, unwired anon pages of [from, to): pmap_page_protect(PROT_NONE) and
    /// uvm_pagedeactivate's pmap_clear_reference. => the index of the first scanned page at or past
    /// <paramref name="to"/>, where the next entry's pages start
    /// </summary>
    private int DeactivateAnons(int next, ulong from, ulong to)
    {
        for (; next < _cleaning.Count && _cleaning.Pages[next].Va < to; next++)
        {
            ref var mapped = ref _cleaning.Pages[next];
            if (mapped.Va < from || _cleaning.WiredOf(mapped.Anon) != 0)
                continue;
            int page = PageOfAnon(mapped.Anon);
            if (page == NoPage)
                continue;
            DeactivateAnon(page);
        }
        return next;
    }

    public string? PageDaemon(int page, DaemonAction action)
    {
        if (_ownerAnon[page] != NoAnon)
            return AnonDaemon(page, action);
        var pg = _uvm.Frames[page];
        if (pg.Object is null)
            return "ENOENT";
        if (pg.Object is AnonObject aobj)
            return AobjPageDaemon(aobj, pg, action);
        LoadPmap();
        var result = action switch
        {
            DaemonAction.Deactivate => FileDaemon.Deactivate(_uvm, pg),
            DaemonAction.Clean => FileDaemon.Clean(_uvm, pg),
            DaemonAction.Pageout => FileDaemon.StartPageout(_uvm, pg),
            _ => FileDaemon.Free(_uvm, pg),
        };
        PlayBackPmap();
        return result;
    }
}
