namespace UvmDiff.Implementations.Concurrency;

/// <summary>
/// uvm_page.c as atomic steps: uvm_pagedequeue, the TAILQ insert, uvm_pageactivate, uvm_pagewire,
/// uvm_pageunwire, uvm_pageclean and uvm_pagefree, before and after seed 002's diff. Each
/// <c>yield return</c> names the step the code after it performs.
/// </summary>
public sealed class PageSteps(
    SteppedWorld world,
    bool afterDiff,
    bool wiredPlain,
    bool dequeueOutsideMutex,
    long[] probes
)
{
    private const int Nil = SteppedWorld.Nil;

    private static readonly string[] LoadLinks =
    [
        "TAILQ_REMOVE(&uvm.page_active): load pg's links",
        "TAILQ_REMOVE(&uvm.page_inactive): load pg's links",
    ];
    private static readonly string[] StorePrevNext =
    [
        "TAILQ_REMOVE(&uvm.page_active): store prev->next (or the head)",
        "TAILQ_REMOVE(&uvm.page_inactive): store prev->next (or the head)",
    ];
    private static readonly string[] StoreNextPrev =
    [
        "TAILQ_REMOVE(&uvm.page_active): store next->prev (or the tail)",
        "TAILQ_REMOVE(&uvm.page_inactive): store next->prev (or the tail)",
    ];
    private static readonly string[] LoadCounter = ["load uvmexp.active", "load uvmexp.inactive"];
    private static readonly string[] StoreDecrement =
    [
        "store uvmexp.active - 1, clear PQ_ACTIVE",
        "store uvmexp.inactive - 1, clear PQ_INACTIVE",
    ];
    private static readonly string[] StoreIncrement =
    [
        "store uvmexp.active + 1, set PQ_ACTIVE",
        "store uvmexp.inactive + 1, set PQ_INACTIVE",
    ];
    private static readonly string[] LoadTail =
    [
        "TAILQ_INSERT_TAIL(&uvm.page_active): load the tail",
        "TAILQ_INSERT_TAIL(&uvm.page_inactive): load the tail",
    ];
    private static readonly string[] LinkAfterTail =
    [
        "TAILQ_INSERT_TAIL(&uvm.page_active): link pg after it",
        "TAILQ_INSERT_TAIL(&uvm.page_inactive): link pg after it",
    ];
    private static readonly string[] StoreTail =
    [
        "TAILQ_INSERT_TAIL(&uvm.page_active): store the tail",
        "TAILQ_INSERT_TAIL(&uvm.page_inactive): store the tail",
    ];

    /// <summary>uvm_pagedequeue: => the page leaves the queue its flags name, if any</summary>
    public IEnumerable<Step> Dequeue(int page)
    {
        yield return Step.Plain(Footprints.Page(page), "uvm_pagedequeue: test PQ_ACTIVE|PQ_INACTIVE", page);
        world.Touch(page, "uvm_pagedequeue");
        byte flags = world.Flags[page];
        int queue =
            (flags & SteppedWorld.PqActive) != 0 ? 0
            : (flags & SteppedWorld.PqInactive) != 0 ? 1
            : Nil;
        if (queue == Nil)
            yield break;
        ulong footprint = Footprints.Queue(queue) | Footprints.Page(page);
        yield return Step.Plain(footprint, LoadLinks[queue], page);
        int prev = world.Prev[page];
        int next = world.Next[page];
        yield return Step.Plain(footprint, StorePrevNext[queue], page);
        if (prev == Nil)
            world.Head[queue] = next;
        else
            world.Next[prev] = next;
        yield return Step.Plain(footprint, StoreNextPrev[queue], page);
        if (next == Nil)
            world.Tail[queue] = prev;
        else
            world.Prev[next] = prev;
        yield return Step.Plain(footprint, LoadCounter[queue], page);
        int count = queue == 0 ? world.Active : world.Inactive;
        yield return Step.Plain(footprint, StoreDecrement[queue], page);
        if (queue == 0)
            world.Active = count - 1;
        else
            world.Inactive = count - 1;
        world.Flags[page] &= (byte)~(queue == 0 ? SteppedWorld.PqActive : SteppedWorld.PqInactive);
        world.Prev[page] = world.Next[page] = Nil;
    }

    /// <summary>TAILQ_INSERT_TAIL on a page queue, and its counter and flag. => caller holds the page-queue lock</summary>
    public IEnumerable<Step> InsertTail(int page, int queue)
    {
        ulong footprint = Footprints.Queue(queue) | Footprints.Page(page);
        yield return Step.Plain(footprint, LoadTail[queue], page);
        world.Touch(page, "TAILQ_INSERT_TAIL");
        int tail = world.Tail[queue];
        yield return Step.Plain(footprint, LinkAfterTail[queue], page);
        world.Prev[page] = tail;
        world.Next[page] = Nil;
        if (tail == Nil)
            world.Head[queue] = page;
        else
            world.Next[tail] = page;
        yield return Step.Plain(footprint, StoreTail[queue], page);
        world.Tail[queue] = page;
        yield return Step.Plain(footprint, LoadCounter[queue], page);
        int count = queue == 0 ? world.Active : world.Inactive;
        yield return Step.Plain(footprint, StoreIncrement[queue], page);
        if (queue == 0)
            world.Active = count + 1;
        else
            world.Inactive = count + 1;
        world.Flags[page] |= queue == 0 ? SteppedWorld.PqActive : SteppedWorld.PqInactive;
    }

    /// <summary>uvm_pageactivate: => dequeue, then an unwired page goes to the active tail</summary>
    public IEnumerable<Step> Activate(int page)
    {
        foreach (var step in Dequeue(page))
            yield return step;
        yield return Step.Plain(Footprints.Page(page), "uvm_pageactivate: test wire_count", page);
        world.Touch(page, "uvm_pageactivate");
        if (world.WireCount[page] != 0)
            yield break;
        foreach (var step in InsertTail(page, 0))
            yield return step;
    }

    /// <summary>uvm_pagewire: => caller holds the page-queue lock</summary>
    public IEnumerable<Step> Wire(int thread, int page)
    {
        yield return Step.Plain(Footprints.Page(page), "uvm_pagewire: test wire_count", page);
        world.Touch(page, "uvm_pagewire");
        if (world.WireCount[page] == 0)
        {
            foreach (var step in Dequeue(page))
                yield return step;
            foreach (var step in AddWired(thread, +1))
                yield return step;
        }
        yield return Step.Plain(Footprints.Page(page), "pg->wire_count++", page);
        world.WireCount[page]++;
    }

    /// <summary>uvm_pageunwire: => caller holds the page-queue lock and the page is wired</summary>
    public IEnumerable<Step> Unwire(int thread, int page)
    {
        yield return Step.Plain(Footprints.Page(page), "uvm_pageunwire: pg->wire_count--", page);
        world.Touch(page, "uvm_pageunwire");
        if (--world.WireCount[page] != 0)
            yield break;
        foreach (var step in Activate(page))
            yield return step;
        foreach (var step in AddWired(thread, -1))
            yield return step;
    }

    /// <summary>
    /// uvm_pageclean. Before the diff the caller holds the page-queue lock whenever the page is tabled or
    /// queued (asserted); after it, uvm_pageclean takes the lock itself around the dequeue only.
    /// </summary>
    public IEnumerable<Step> Clean(int thread, int page)
    {
        int slot = world.PageSlot[page];
        ulong untable = Footprints.Page(page) | (slot == Nil ? 0 : Footprints.Slot(slot));
        yield return Step.Plain(untable, "uvm_pageclean: if PG_TABLED, uvm_pageremove", page);
        world.Touch(page, "uvm_pageclean");
        slot = world.PageSlot[page];
        bool tabled = slot != Nil && world.Owners[slot] != SlotOwner.Anon;
        bool queued = (world.Flags[page] & (SteppedWorld.PqActive | SteppedWorld.PqInactive)) != 0;
        if (!afterDiff && (tabled || queued) && world.Holder[Locks.Pageq] != thread)
            throw new SteppedPanic("uvm_pageclean: MUTEX_ASSERT_LOCKED(&uvm.pageqlock) failed");
        if (tabled)
            Untable(page, slot);
        if (afterDiff)
        {
            yield return Step.Plain(Footprints.Page(page), "uvm_pageclean: test PQ_ACTIVE|PQ_INACTIVE", page);
            world.Touch(page, "uvm_pageclean");
            if ((world.Flags[page] & (SteppedWorld.PqActive | SteppedWorld.PqInactive)) != 0)
            {
                probes[ConcurrencyProbes.PagecleanDequeued]++;
                if (!dequeueOutsideMutex)
                    yield return Step.Acquire(Locks.Pageq);
                foreach (var step in Dequeue(page))
                    yield return step;
                if (!dequeueOutsideMutex)
                    yield return Step.Release(Locks.Pageq);
            }
        }
        else
        {
            foreach (var step in Dequeue(page))
                yield return step;
        }
        yield return Step.Plain(Footprints.Page(page), "uvm_pageclean: if wire_count, wire_count = 0", page);
        world.Touch(page, "uvm_pageclean");
        bool wasWired = world.WireCount[page] != 0;
        world.WireCount[page] = 0;
        if (wasWired)
        {
            foreach (var step in AddWired(thread, -1))
                yield return step;
        }
        slot = world.PageSlot[page];
        if (slot != Nil && world.Owners[slot] == SlotOwner.Anon)
        {
            yield return Step.Plain(
                Footprints.Page(page) | Footprints.Slot(slot),
                "uvm_pageclean: pg->uanon->an_page = NULL",
                page
            );
            world.Touch(page, "uvm_pageclean");
            Untable(page, slot);
        }
    }

    /// <summary>uvm_pagefree: uvm_pageclean, then the page goes back to the free pages</summary>
    public IEnumerable<Step> Free(int thread, int page)
    {
        foreach (var step in Clean(thread, page))
            yield return step;
        foreach (var step in ReturnToFreePages(page))
            yield return step;
    }

    /// <summary>uvm_pmr_freepages of one cleaned page (uvm_pagefree's end, or uvm_pglistfree).</summary>
    public IEnumerable<Step> ReturnToFreePages(int page)
    {
        yield return Step.Plain(
            Footprints.FreePages | Footprints.Page(page),
            "uvm_pagefree: uvm_pmr_freepages(pg)",
            page
        );
        world.ReturnToFreePool(page);
    }

    private void Untable(int page, int slot)
    {
        if (world.SlotPage[slot] == page)
            world.SlotPage[slot] = Nil;
        world.PageSlot[page] = Nil;
    }

    /// <summary>uvmexp.wired += delta: atomic after the diff, a load and a store before it (under the lock) or with the fault.</summary>
    private IEnumerable<Step> AddWired(int thread, int delta)
    {
        if (world.Holder[Locks.Pageq] != thread)
            probes[ConcurrencyProbes.WiredOutsidePageq]++;
        if (afterDiff && !wiredPlain)
        {
            yield return Step.Plain(
                Footprints.WiredCounter,
                delta > 0 ? "atomic_inc_int(&uvmexp.wired)" : "atomic_dec_int(&uvmexp.wired)",
                Nil
            );
            world.Wired += delta;
            yield break;
        }
        yield return Step.Plain(Footprints.WiredCounter, "load uvmexp.wired", Nil);
        int wired = world.Wired;
        yield return Step.Plain(
            Footprints.WiredCounter,
            delta > 0 ? "store uvmexp.wired + 1" : "store uvmexp.wired - 1",
            Nil
        );
        world.Wired = wired + delta;
    }
}
