using UvmDiff.Spec;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Implementations.Objects;

/// <summary>
/// uao_flush, uvm_km_pgremove, uvm_obj_unwire and uvn_flush written the way seed 000's diff writes
/// them: red-black tree per object, range iteration with the next page prefetched, a restart from a
/// saved offset after every sleep and after every pageout. Corrected where the posted diff was wrong;
/// the posted behaviour is <see cref="ObjectFaults.Seed000AsPosted"/>.
/// </summary>
public sealed class RangeRoutines : IObjectRoutines
{
    private readonly bool _noPrefetch;
    private readonly bool _noRestartAfterSleep;
    private readonly bool _restartReadAfterSleep;
    private readonly bool _noRestartAfterPageout;
    private readonly bool _residentOnlySwap;
    private readonly bool _ignoreBadSlots;
    private readonly bool _unwireSkipsHoles;
    private readonly bool _clobberStart;
    private readonly bool _freeWithoutDequeue;
    private readonly long[] _probes = new long[ObjectProbes.Names.Count];
    private readonly PageRange _range;

    public RangeRoutines(FaultSet faults)
    {
        _noPrefetch = faults.Has(ObjectFaults.NoPrefetch);
        _noRestartAfterSleep = faults.Has(ObjectFaults.NoRestartAfterSleep);
        _restartReadAfterSleep = faults.Has(ObjectFaults.RestartOffsetReadAfterSleep);
        _noRestartAfterPageout = faults.Has(ObjectFaults.NoRestartAfterPageout);
        _residentOnlySwap = faults.Has(ObjectFaults.KmPgremoveResidentOnlySwap);
        _ignoreBadSlots = faults.Has(ObjectFaults.DropSwapRangeIgnoresBadSlots);
        _unwireSkipsHoles = faults.Has(ObjectFaults.ObjUnwireSkipsHoles);
        _clobberStart = faults.Has(ObjectFaults.UvnFlushRestartClobbersStart);
        _freeWithoutDequeue = faults.Has(ObjectFaults.FreeWithoutDequeue);
        _range = new PageRange(faults.Has(ObjectFaults.RangeEndInclusive), _probes);
    }

    public long[] ProbeCounts => _probes;

    public PageIndex NewPageIndex() => new RbPageTree();

    /// <summary>uao_flush with range iteration. => as <see cref="UaoFlush.Run"/></summary>
    public bool AobjFlush(Uvm uvm, AnonObject aobj, long start, long stop, PgoFlags flags)
    {
        (start, stop) = UaoFlush.Range(aobj, start, stop, flags);
        if ((flags & (PgoFlags.Deactivate | PgoFlags.Free)) == 0)
            return true;
        _range.BeginCall();

        again:
        var pg = _range.First(aobj, start, stop);
        while (pg is not null)
        {
            var npg = _noPrefetch ? null : _range.Next(aobj, pg, stop);
            if (pg.Has(PgFlags.Busy))
            {
                start = WaitAndSaveRestart(uvm, pg, "uaoflsh");
                _probes[ObjectProbes.RestartAfterSleep]++;
                if (!_noRestartAfterSleep)
                    goto again;
            }
            else
            {
                UaoFlush.Dispose(uvm, aobj, pg, flags);
                if (pg.Object != aobj)
                    _probes[ObjectProbes.FreedInsideRangeLoop]++;
            }
            pg = _noPrefetch ? _range.Next(aobj, pg, stop) : npg;
        }
        return true;
    }

    /// <summary>
    /// uvm_km_pgremove with range iteration: resident pages are freed with their slots, then every
    /// other slot of the range is dropped, each counted against swpgonly (SWSLOT_BAD too, as the
    /// per-offset loop did). => as <see cref="KmPgremove.Run"/>
    /// </summary>
    public void KmPgremove(Uvm uvm, AnonObject kobj, ulong startVa, ulong endVa)
    {
        var (start, stop) = Spec.Routines.KmPgremove.Offsets(kobj, startVa, endVa);
        Spec.Routines.KmPgremove.PmapRemoveKernel(uvm);
        _range.BeginCall();
        long restart = start;

        again:
        var pp = _range.First(kobj, restart, stop);
        while (pp is not null)
        {
            var npp = _noPrefetch ? null : _range.Next(kobj, pp, stop);
            if (pp.Has(PgFlags.Busy))
            {
                restart = WaitAndSaveRestart(uvm, pp, "km_pgrm");
                _probes[ObjectProbes.RestartAfterSleep]++;
                if (!_noRestartAfterSleep)
                    goto again;
            }
            else
            {
                Aobj.DropSwap(uvm, kobj, (int)(pp.Offset >> K.PageShift));
                Pages.Free(uvm, pp);
                _probes[ObjectProbes.FreedInsideRangeLoop]++;
            }
            pp = _noPrefetch ? _range.Next(kobj, pp, stop) : npp;
        }

        CountSwapOnlySlots(kobj, (int)(start >> K.PageShift), (int)(stop >> K.PageShift));
        if (_residentOnlySwap)
            return;
        var (freed, bad) = Aobj.ForgetSwapSlots(uvm, kobj, (int)(start >> K.PageShift), (int)(stop >> K.PageShift));
        Spec.Routines.KmPgremove.SubtractSwpgOnly(uvm, _ignoreBadSlots ? freed : freed + bad);
    }

    /// <summary>
    /// uvm_obj_unwire with range iteration, keeping the old contract: a hole still trips
    /// KASSERT(pg != NULL), found by the gap between consecutive resident offsets.
    /// </summary>
    public void ObjUnwire(Uvm uvm, UvmObject obj, long start, long stop)
    {
        _range.BeginCall();
        uvm.LockPageq();
        long expected = start;
        for (var pg = _range.First(obj, start, stop); pg is not null; pg = _range.Next(obj, pg, stop))
        {
            if (pg.Offset != expected)
                _probes[ObjectProbes.ObjUnwireHole]++;
            if (!_unwireSkipsHoles)
                K.Kassert(pg.Offset == expected, "pg != NULL");
            K.Kassert(!pg.Has(PgFlags.Released), "!(pg->pg_flags & PG_RELEASED)");
            Pages.Unwire(uvm, pg);
            expected = pg.Offset + K.PageSize;
        }
        if (expected < stop)
            _probes[ObjectProbes.ObjUnwireHole]++;
        if (!_unwireSkipsHoles)
            K.Kassert(expected >= stop, "pg != NULL");
        uvm.UnlockPageq();
    }

    /// <summary>
    /// uvn_flush with range iteration: a busy-page sleep restarts at that page, a pageout restarts
    /// after it, and the cluster window stays the caller's range. => as <see cref="UvnFlush.Run"/>
    /// </summary>
    public bool UvnFlush(Uvm uvm, VnodeObject vn, long start, long stop, PgoFlags flags)
    {
        (start, stop) = Spec.Routines.UvnFlush.Range(vn, start, stop, flags);
        var state = new UvnFlush.State(flags);
        _range.BeginCall();

        if ((flags & PgoFlags.CleanIt) != 0)
        {
            for (var pp = _range.First(vn, start, stop); pp is not null; pp = _range.Next(vn, pp, stop))
                pp.Flags &= ~PgFlags.CleanChk;
        }

        uvm.LockPageq();
        long restart = start;
        long window = start;

        again:
        var pg = _range.First(vn, restart, stop);
        while (pg is not null)
        {
            var npg = _noPrefetch ? null : _range.Next(vn, pg, stop);
            if (!Spec.Routines.UvnFlush.NeedsClean(uvm, pg, ref state))
            {
                if ((state.Flags & PgoFlags.Deactivate) != 0)
                {
                    if (pg.WireCount == 0)
                    {
                        Pages.PageProtectNone(uvm, pg);
                        Pages.Deactivate(uvm, pg);
                    }
                }
                else if ((state.Flags & PgoFlags.Free) != 0)
                {
                    if (pg.Has(PgFlags.Busy))
                    {
                        uvm.UnlockPageq();
                        restart = WaitAndSaveRestart(uvm, pg, "uvn_flsh");
                        _probes[ObjectProbes.RestartAfterSleep]++;
                        uvm.LockPageq();
                        if (_clobberStart)
                            window = restart;
                        if (!_noRestartAfterSleep)
                            goto again;
                    }
                    else
                    {
                        CountFree(pg);
                        if (_freeWithoutDequeue)
                        {
                            Pages.PageProtectNone(uvm, pg);
                            Pages.Free(uvm, pg);
                        }
                        else
                        {
                            Spec.Routines.UvnFlush.FreeQueued(uvm, pg);
                        }
                    }
                }
                pg = _noPrefetch ? _range.Next(vn, pg, stop) : npg;
                continue;
            }

            restart = pg.Offset + K.PageSize;
            if (_clobberStart)
                window = restart;
            Spec.Routines.UvnFlush.CleanCluster(uvm, vn, pg, ref state, window, stop);
            _probes[ObjectProbes.ClusteredPageout]++;
            _probes[ObjectProbes.RestartAfterPageout]++;
            if (!_noRestartAfterPageout)
                goto again;
            pg = _noPrefetch ? _range.Next(vn, pg, stop) : npg;
        }
        uvm.UnlockPageq();
        return Spec.Routines.UvnFlush.Finish(uvm, vn, state);
    }

    /// <summary>
    /// Sleep on a busy page and return the offset to restart at: saved before the sleep, since the
    /// page may be freed and reused by the time uvm_pagewait returns.
    /// </summary>
    private long WaitAndSaveRestart(Uvm uvm, VmPage pg, string wmesg)
    {
        long saved = pg.Offset;
        var owner = pg.Object;
        Pages.Wait(uvm, pg, wmesg);
        if (pg.Offset != saved || pg.Object != owner)
            _probes[ObjectProbes.SleptOnPageReused]++;
        return _restartReadAfterSleep ? pg.Offset : saved;
    }

    /// <summary>uvn_flush's free branch: counts the pages it frees, and those it frees while queued.</summary>
    private void CountFree(VmPage pg)
    {
        _probes[ObjectProbes.FreedInsideRangeLoop]++;
        if (pg.Has(PgFlags.Queued))
            _probes[ObjectProbes.UvnFlushFreesQueuedPage]++;
    }

    /// <summary>The slots km_pgremove must still drop once the resident pages are gone: the branch hazard 1 is about.</summary>
    private void CountSwapOnlySlots(AnonObject kobj, int first, int end)
    {
        var slots = kobj.Slots;
        for (int i = first; i < end && i < slots.Length; i++)
        {
            if (slots[i] != 0)
                _probes[ObjectProbes.KmPgremoveSwapOnlySlot]++;
            if (slots[i] == SwapSpace.SlotBad)
                _probes[ObjectProbes.KmPgremoveBadSlot]++;
        }
    }
}
