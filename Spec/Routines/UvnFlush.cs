using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Routines;

/// <summary>uvm_vnode.c: uvn_flush, as before seed 000's diff: one uvm_pagelookup per offset.</summary>
public static class UvnFlush
{
    /// <summary>
    /// Clean, deactivate or free the resident pages of [start, stop).
    /// => PGO_ALLPAGES means [0, round_page(u_size)); otherwise [trunc(start), min(round(stop), round(u_size)))
    /// => with CLEANIT a dirty, unbusy page is written in a cluster built by uvm_mk_pcluster inside the
    ///    range, with the object lock dropped for the I/O; the walk resumes after that page
    /// => DEACTIVATE wins over FREE; FREE frees wired pages too (pageclean fixes the wired count)
    /// => a busy page met while freeing is waited for, and the same offset looked up again
    /// => mirror: cluster pages are marked CLEAN even after a failed write
    /// => a write that returns VM_PAGER_AGAIN sets PGO_SYNCIO for the rest of the call, clears
    ///    RELEASED on the page and is retried (AGAIN under PGO_SYNCIO is the kernel's panic)
    /// => returns false only when a write failed during a FREE flush
    /// </summary>
    public static bool Run(Uvm uvm, VnodeObject vn, long start, long stop, PgoFlags flags)
    {
        (start, stop) = Range(vn, start, stop, flags);
        var state = new State(flags);

        if ((flags & PgoFlags.CleanIt) != 0)
        {
            for (long curoff = start; curoff < stop; curoff += K.PageSize)
                Pages.Pages.Lookup(vn, curoff)?.Flags &= ~PgFlags.CleanChk;
        }

        uvm.LockPageq();
        for (long curoff = start; curoff < stop; curoff += K.PageSize)
        {
            var pp = Pages.Pages.Lookup(vn, curoff);
            if (pp is null)
                continue;
            if (!NeedsClean(uvm, pp, ref state))
            {
                if (DisposeUnneeded(uvm, pp, state.Flags) == Disposal.SleptOnBusy)
                    curoff -= K.PageSize;
                continue;
            }
            CleanCluster(uvm, vn, pp, ref state, start, stop);
        }
        uvm.UnlockPageq();
        return Finish(uvm, vn, state);
    }

    /// <summary>What one uvn_flush call carries from page to page.</summary>
    public struct State(PgoFlags flags)
    {
        public PgoFlags Flags = flags;
        public bool NeedIoSync;
        public bool RetVal = true;
        public StackPages Pps;
    }

    public enum Disposal
    {
        Done,

        /// <summary>The page was busy under PGO_FREE: the routine slept and must look again.</summary>
        SleptOnBusy,
    }

    public static (long Start, long Stop) Range(VnodeObject vn, long start, long stop, PgoFlags flags)
    {
        long end = K.RoundPage(vn.USize);
        if ((flags & PgoFlags.AllPages) != 0)
            return (0, end);
        start = K.TruncPage(start);
        stop = K.RoundPage(stop);
        return (start, stop < end ? stop : end);
    }

    /// <summary>
    /// Does the page need a write? Only under CLEANIT and only when unbusy; syncs CLEAN with the pmap's
    /// modified bit and sets CLEANCHK. => page queues locked
    /// </summary>
    public static bool NeedsClean(Uvm uvm, VmPage pp, ref State state)
    {
        var flags = state.Flags;
        if ((flags & PgoFlags.CleanIt) == 0 || pp.Has(PgFlags.Busy))
        {
            if (
                pp.Has(PgFlags.Busy)
                && (flags & (PgoFlags.CleanIt | PgoFlags.SyncIo)) == (PgoFlags.CleanIt | PgoFlags.SyncIo)
            )
                state.NeedIoSync = true;
            return false;
        }
        if (pp.Has(PgFlags.Clean) && (flags & PgoFlags.Free) != 0 && pp.Has(PgFlags.QueueActive))
            Pages.Pages.PageProtectNone(uvm, pp);
        if (pp.Has(PgFlags.Clean) && pp.PmapModified)
            pp.Flags &= ~PgFlags.Clean;
        pp.Flags |= PgFlags.CleanChk;
        return !pp.Has(PgFlags.Clean);
    }

    /// <summary>
    /// A page that needs no write: deactivate it, or free it (waiting if it is busy).
    /// => page queues locked on entry and on return; dropped around the sleep
    /// </summary>
    public static Disposal DisposeUnneeded(Uvm uvm, VmPage pp, PgoFlags flags)
    {
        if ((flags & PgoFlags.Deactivate) != 0)
        {
            if (pp.WireCount == 0)
            {
                Pages.Pages.PageProtectNone(uvm, pp);
                Pages.Pages.Deactivate(uvm, pp);
            }
            return Disposal.Done;
        }
        if ((flags & PgoFlags.Free) == 0)
            return Disposal.Done;
        if (pp.Has(PgFlags.Busy))
        {
            uvm.UnlockPageq();
            Pages.Pages.Wait(uvm, pp, "uvn_flsh");
            uvm.LockPageq();
            return Disposal.SleptOnBusy;
        }
        FreeQueued(uvm, pp);
        return Disposal.Done;
    }

    /// <summary>Free a page while holding the page-queue lock: dequeue first to avoid recursion.</summary>
    public static void FreeQueued(Uvm uvm, VmPage pp)
    {
        Pages.Pages.PageProtectNone(uvm, pp);
        Pages.Pages.Dequeue(uvm, pp);
        Pages.Pages.Free(uvm, pp);
    }

    /// <summary>
    /// Write <paramref name="pp"/> in a cluster built inside [start, stop) and dispose of every page
    /// of the cluster. => page queues locked on entry and on return; dropped around the I/O
    /// </summary>
    public static void CleanCluster(Uvm uvm, VnodeObject vn, VmPage pp, ref State state, long start, long stop)
    {
        pp.Flags |= PgFlags.Busy;
        pp.Owner = "uvn_flush";
        Pages.Pages.PageProtectRead(uvm, pp);
        if ((state.Flags & (PgoFlags.Free | PgoFlags.SyncIo)) == PgoFlags.Free)
            pp.Flags |= PgFlags.Released;

        PagerResult result;
        int first,
            count;
        while (true)
        {
            result = Pager.Put(
                uvm,
                vn,
                pp,
                state.Pps,
                state.Flags | PgoFlags.DoActClust,
                start,
                stop,
                out first,
                out count
            );
            if (result != PagerResult.Again)
                break;
            uvm.LockPageq();
            if ((state.Flags & PgoFlags.SyncIo) != 0)
                throw K.Panic("uvn_flush: PGO_SYNCIO return 'try again' error (impossible)");
            state.Flags |= PgoFlags.SyncIo;
            if ((state.Flags & PgoFlags.Free) != 0)
                pp.Flags &= ~PgFlags.Released;
        }
        bool ok = result == PagerResult.Ok;
        uvm.LockPageq();
        for (int lcv = 0; lcv < count; lcv++)
        {
            var ptmp = state.Pps[first + lcv];
            ptmp.Flags &= ~(PgFlags.Wanted | PgFlags.Busy);
            ptmp.Owner = null;
            ptmp.Flags |= PgFlags.Clean | PgFlags.CleanChk;
            if ((state.Flags & PgoFlags.Free) == 0)
                ptmp.PmapModified = false;

            if ((state.Flags & PgoFlags.Deactivate) != 0)
            {
                if (ptmp.WireCount == 0)
                {
                    Pages.Pages.PageProtectNone(uvm, ptmp);
                    Pages.Pages.Deactivate(uvm, ptmp);
                }
            }
            else if ((state.Flags & PgoFlags.Free) != 0)
            {
                if (!ok)
                    state.RetVal = false;
                FreeQueued(uvm, ptmp);
            }
        }
    }

    /// <summary>The end of uvn_flush: wait for other threads' I/O if a busy page was met under SYNCIO.</summary>
    public static bool Finish(Uvm uvm, VnodeObject vn, State state)
    {
        if (state.NeedIoSync)
            Uvn.WaitForIo(uvm, vn);
        return state.RetVal;
    }
}
