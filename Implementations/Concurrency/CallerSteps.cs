namespace UvmDiff.Implementations.Concurrency;

/// <summary>
/// The callers seed 002 changes, as atomic steps under their locks: uvm_anon.c uvm_anfree_list and
/// uvm_anon_release, uvm_aobj.c uao_flush's PGO_FREE case, uvm_km.c uvm_km_pgremove, the fault path that
/// maps a page back in (uvm_fault.c), uvm_fault_wire/unwire's page calls, and the pagedaemon's
/// deactivate (uvmpd_scan_active) and free (uvmpd_scan_inactive). Before the diff every free is
/// bracketed by the page-queue lock; after it, only uvm_pageclean takes the lock.
/// </summary>
public sealed class CallerSteps
{
    private const int Nil = SteppedWorld.Nil;

    private readonly SteppedWorld _world;
    private readonly PageSteps _pages;
    private readonly bool _afterDiff;
    private readonly bool _flushWithoutOwnerLock;
    private readonly bool _flushUnlocksBeforeFree;
    private readonly bool _daemonFreesQueued;
    private readonly bool _daemonLocksOwnerUnderPageq;
    private readonly long[] _probes;

    public CallerSteps(SteppedWorld world, bool afterDiff, FaultSet faults, long[] probes)
    {
        _world = world;
        _afterDiff = afterDiff;
        _probes = probes;
        _flushWithoutOwnerLock = faults.Has(ConcurrencyFaults.PagecleanWithoutOwnerLock);
        _flushUnlocksBeforeFree = faults.Has(ConcurrencyFaults.OwnerUnlockedBeforeFree);
        _daemonFreesQueued = afterDiff && faults.Has(ConcurrencyFaults.PagedaemonFreesQueuedPage);
        _daemonLocksOwnerUnderPageq = faults.Has(ConcurrencyFaults.PagedaemonLocksOwnerUnderPageq);
        _pages = new PageSteps(
            world,
            afterDiff,
            faults.Has(ConcurrencyFaults.WiredPlainLoadStore),
            faults.Has(ConcurrencyFaults.DequeueOutsidePageqMutex),
            probes
        );
    }

    /// <summary>The steps of <paramref name="call"/> on <paramref name="slot"/>; the last one sets the thread's result.</summary>
    public IEnumerable<Step> Call(int thread, SteppedThread state, CallName call, int slot) =>
        call switch
        {
            CallName.AnFree => AnonFree(thread, state, slot, release: false),
            CallName.AnonRelease => AnonFree(thread, state, slot, release: true),
            CallName.AnFreeList => AnonFreeList(thread, state, slot),
            CallName.UaoFlushFree => UaoFlushFree(thread, state, slot),
            CallName.KmPgremove => KmPgremove(thread, state, slot),
            CallName.Wire => Wire(thread, state, slot),
            CallName.Unwire => Unwire(thread, state, slot),
            CallName.Fault => Fault(thread, state, slot),
            CallName.Deactivate => Deactivate(thread, state, slot),
            _ => DaemonFree(thread, state, slot),
        };

    private Step Lookup(int slot) =>
        Step.Plain(Footprints.Slot(slot), "uvm_pagelookup / anon->an_page: load the slot's page", Nil);

    private Step Protect(int page) => Step.Plain(Footprints.Page(page), "pmap_page_protect(pg, PROT_NONE)", page);

    private void Unmap(int page)
    {
        _world.Touch(page, "pmap_page_protect");
        _world.Mapped[page] = false;
    }

    /// <summary>
    /// uvm_anfree_list with no list (amap lock held): protect, then free. uvm_anon_release (the aiodone
    /// path): the same, but before the diff its lock pair brackets the protect as well as the free.
    /// </summary>
    private IEnumerable<Step> AnonFree(int thread, SteppedThread state, int slot, bool release)
    {
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        if (page == Nil)
        {
            yield return Step.Release(ownerLock);
            state.Result = "none";
            yield break;
        }
        bool bracket = !_afterDiff;
        if (bracket && release)
            yield return Step.Acquire(Locks.Pageq);
        yield return Protect(page);
        Unmap(page);
        if (bracket && !release)
            yield return Step.Acquire(Locks.Pageq);
        foreach (var step in _pages.Free(thread, page))
            yield return step;
        if (bracket)
            yield return Step.Release(Locks.Pageq);
        yield return Step.Release(ownerLock);
        state.Result = "freed";
    }

    /// <summary>
    /// uvm_anfree_list with a list (amap lock held): protect, uvm_pageclean (before the diff under the
    /// page-queue lock), put the page on the caller's list; the caller's uvm_pglistfree returns it to the
    /// free pages after the amap lock is released.
    /// </summary>
    private IEnumerable<Step> AnonFreeList(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        if (page == Nil)
        {
            yield return Step.Release(ownerLock);
            state.Result = "none";
            yield break;
        }
        yield return Protect(page);
        Unmap(page);
        if (!_afterDiff)
            yield return Step.Acquire(Locks.Pageq);
        foreach (var step in _pages.Clean(thread, page))
            yield return step;
        if (!_afterDiff)
            yield return Step.Release(Locks.Pageq);
        yield return Step.Release(ownerLock);
        foreach (var step in _pages.ReturnToFreePages(page))
            yield return step;
        state.Result = "freed";
    }

    /// <summary>uao_flush, PGO_FREE, one offset, one reference (object lock held): skip wired pages; protect, drop swap, free.</summary>
    private IEnumerable<Step> UaoFlushFree(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        bool locked = !_flushWithoutOwnerLock;
        if (locked)
            yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "none";
        if (page != Nil)
        {
            yield return Step.Plain(Footprints.Page(page), "uao_flush: test wire_count", page);
            _world.Touch(page, "uao_flush");
            result = "skipped-wired";
            if (_world.WireCount[page] == 0)
            {
                yield return Protect(page);
                Unmap(page);
                if (_flushUnlocksBeforeFree && locked)
                {
                    yield return Step.Release(ownerLock);
                    yield return Step.Acquire(ownerLock);
                }
                if (!_afterDiff)
                    yield return Step.Acquire(Locks.Pageq);
                foreach (var step in _pages.Free(thread, page))
                    yield return step;
                if (!_afterDiff)
                    yield return Step.Release(Locks.Pageq);
                _probes[ConcurrencyProbes.UaoFlushFreed]++;
                result = "freed";
            }
        }
        if (locked)
            yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>uvm_km_pgremove on one offset (kernel object locked; the kernel pmap range removed first): free the page.</summary>
    private IEnumerable<Step> KmPgremove(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "none";
        if (page != Nil)
        {
            yield return Step.Plain(Footprints.Page(page), "pmap_remove(pmap_kernel(), va, va + PAGE_SIZE)", page);
            Unmap(page);
            if (!_afterDiff)
                yield return Step.Acquire(Locks.Pageq);
            foreach (var step in _pages.Free(thread, page))
                yield return step;
            if (!_afterDiff)
                yield return Step.Release(Locks.Pageq);
            result = "freed";
        }
        yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>uvm_fault_wire's page step: owner lock, page-queue lock, uvm_pagewire.</summary>
    private IEnumerable<Step> Wire(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "none";
        if (page != Nil)
        {
            yield return Step.Acquire(Locks.Pageq);
            foreach (var step in _pages.Wire(thread, page))
                yield return step;
            yield return Step.Release(Locks.Pageq);
            result = "wired";
        }
        yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>uvm_fault_unwire's page step: owner lock, page-queue lock, uvm_pageunwire of a wired page.</summary>
    private IEnumerable<Step> Unwire(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "none";
        if (page != Nil)
        {
            yield return Step.Acquire(Locks.Pageq);
            yield return Step.Plain(Footprints.Page(page), "uvm_fault_unwire: test wire_count", page);
            _world.Touch(page, "uvm_fault_unwire");
            result = "not-wired";
            if (_world.WireCount[page] != 0)
            {
                foreach (var step in _pages.Unwire(thread, page))
                    yield return step;
                result = "unwired";
            }
            yield return Step.Release(Locks.Pageq);
        }
        yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>
    /// uvm_fault_upper / uvm_fault_lower (owner lock held throughout): find the slot's page or allocate a
    /// fresh one, pmap_enter it, then activate it under the page-queue lock.
    /// </summary>
    private IEnumerable<Step> Fault(int thread, SteppedThread state, int slot)
    {
        if (_world.Owners[slot] == SlotOwner.Kmem)
        {
            state.Result = "none";
            yield break;
        }
        int ownerLock = _world.OwnerLock[slot];
        yield return Step.Acquire(ownerLock);
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "resident";
        if (page == Nil)
        {
            yield return Step.Plain(Footprints.FreePages, "uvm_pagealloc: take a free page", Nil);
            page = _world.TakeFromFreePool();
            yield return Step.Plain(
                Footprints.Slot(slot) | Footprints.Page(page),
                "uvm_pagealloc: insert pg at the offset (or anon->an_page = pg)",
                page
            );
            _world.SlotPage[slot] = page;
            _world.PageSlot[page] = slot;
            result = "fresh";
        }
        else
        {
            _probes[ConcurrencyProbes.FaultMappedResident]++;
        }
        yield return Step.Plain(Footprints.Page(page), "pmap_enter(pmap, va, VM_PAGE_TO_PHYS(pg))", page);
        _world.Touch(page, "pmap_enter");
        _world.Mapped[page] = true;
        yield return Step.Acquire(Locks.Pageq);
        foreach (var step in _pages.Activate(page))
            yield return step;
        yield return Step.Release(Locks.Pageq);
        yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>
    /// The pagedaemon's locks: the owner lock, then the page-queue lock (the kernel holds the page-queue
    /// lock and only tries the owner lock, skipping the page when it is taken: the same order, without the
    /// wait); with the fault, the page-queue lock first and a wait for the owner lock.
    /// </summary>
    private IEnumerable<Step> DaemonLocks(int ownerLock)
    {
        if (_daemonLocksOwnerUnderPageq)
        {
            yield return Step.Acquire(Locks.Pageq);
            yield return Step.Acquire(ownerLock);
            yield break;
        }
        yield return Step.Acquire(ownerLock);
        yield return Step.Acquire(Locks.Pageq);
    }

    /// <summary>uvmpd_scan_active on one page (owner lock, then the page-queue lock): an active unwired page is deactivated.</summary>
    private IEnumerable<Step> Deactivate(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        foreach (var step in DaemonLocks(ownerLock))
            yield return step;
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "skipped";
        if (page != Nil)
        {
            yield return Step.Plain(Footprints.Page(page), "uvmpd_scan_active: test PQ_ACTIVE, wire_count", page);
            _world.Touch(page, "uvmpd_scan_active");
            if ((_world.Flags[page] & SteppedWorld.PqActive) != 0 && _world.WireCount[page] == 0)
            {
                yield return Protect(page);
                Unmap(page);
                foreach (var step in _pages.Dequeue(page))
                    yield return step;
                foreach (var step in _pages.InsertTail(page, 1))
                    yield return step;
                result = "deactivated";
            }
        }
        yield return Step.Release(Locks.Pageq);
        yield return Step.Release(ownerLock);
        state.Result = result;
    }

    /// <summary>
    /// uvmpd_scan_inactive freeing a clean page (owner lock, then the page-queue lock, held across): after
    /// the diff the page is dequeued first so that uvm_pagefree does not take the lock again.
    /// </summary>
    private IEnumerable<Step> DaemonFree(int thread, SteppedThread state, int slot)
    {
        int ownerLock = _world.OwnerLock[slot];
        foreach (var step in DaemonLocks(ownerLock))
            yield return step;
        yield return Lookup(slot);
        int page = _world.SlotPage[slot];
        string result = "skipped";
        if (page != Nil)
        {
            yield return Step.Plain(Footprints.Page(page), "uvmpd_scan_inactive: test PQ_INACTIVE, wire_count", page);
            _world.Touch(page, "uvmpd_scan_inactive");
            if ((_world.Flags[page] & SteppedWorld.PqInactive) != 0 && _world.WireCount[page] == 0)
            {
                yield return Protect(page);
                Unmap(page);
                if (_afterDiff && !_daemonFreesQueued)
                {
                    foreach (var step in _pages.Dequeue(page))
                        yield return step;
                }
                foreach (var step in _pages.Free(thread, page))
                    yield return step;
                _probes[ConcurrencyProbes.PagedaemonFreed]++;
                result = "freed";
            }
        }
        yield return Step.Release(Locks.Pageq);
        yield return Step.Release(ownerLock);
        state.Result = result;
    }
}
