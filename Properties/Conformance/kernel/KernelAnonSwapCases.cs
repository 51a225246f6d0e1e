using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// Anonymous memory on the page queues and in swap, derived by hand from OpenBSD's uvm_fault.c 1.171
/// (uvm_fault_upper: uvm_pageactivate, or uvm_pagewire on a wired entry; uvmfault_anonget: a page
/// allocated PG_CLEAN for uvm_swap_get, pmap_clear_modify, uvm_pageactivate, the slot kept;
/// uvmfault_promote: uvm_pagecopy leaves the copy dirty), uvm_pdaemon.c (uvmpd_scan_active:
/// pmap_page_protect(PROT_NONE), uvm_pagedeactivate; uvmpd_scan_inactive on a swap-backed page: PG_CLEAN
/// synced with pmap_is_modified, a dirty page's old slot dropped by uvmpd_dropswap and a new one taken
/// with uvm_swap_alloc into an_swslot, a clean page freed at once with swpgonly up; anon->an_page = NULL),
/// uvm_anon.c (uvm_anfree: swpgonly down for an anon only in swap, uvm_anon_dropswap → uvm_swap_free)
/// and uvm_page.c (uvm_pagealloc with PQ_ANON; uvm_pagedeactivate). The model's page daemon op offers
/// uvmpd_scan_inactive's two passes as <c>clean</c> and <c>free</c>, as for a file page, and all of it in
/// one pass as <c>pageout</c>, as for an aobj page. Slots are handed out lowest first; the device has four.
/// </summary>
public static class KernelAnonSwapCases
{
    private const Arch A = Arch.Amd64;

    private static KernelCase Case(string name, string source, string[] steps, params string[] observed) =>
        new(name, A, source, steps, observed);

    /// <summary>p0 maps one private page at 0x10000000 and writes it: anon 1 on page 0, dirty, active.</summary>
    private static readonly string[] Written =
    [
        "switch cpu0 p0 => Ok",
        "mmap p0 0x10000000 +1 rw- private => Ok",
        "write cpu0 0x10000000 => Ok(page 0)",
    ];

    private static readonly string[] PagedOut = [.. Written, "pagedaemon page 0 pageout => Ok"];

    public static readonly KernelCase[] All =
    [
        Case(
            "a faulted anon page is on the active queue, dirty",
            "uvm_fault_upper: uvm_pagealloc(UVM_PGA_ZERO) leaves PG_CLEAN clear; uvm_pageactivate",
            Written,
            "page 0 backs anon 1",
            "active queue 0: page 0",
            "!page 0: clean",
            "!inactive queue"
        ),
        Case(
            "page daemon: deactivating an anon page moves it to the inactive queue and removes its mapping",
            "uvmpd_scan_active: pmap_page_protect(PROT_NONE), uvm_pagedeactivate; a second pass finds it inactive",
            [.. Written, "pagedaemon page 0 deactivate => Ok", "pagedaemon page 0 deactivate => EALREADY"],
            "page 0 backs anon 1",
            "inactive queue 0: page 0",
            "!active queue",
            "!pmap 0 va"
        ),
        Case(
            "page daemon: a dirty anon page is written to swap slot 1 and freed; the anon keeps the slot",
            "uvmpd_scan_inactive: not PG_CLEAN → uvm_swap_alloc (slot 1), an_swslot = 1, the write, "
                + "anon->an_page = NULL, uvm_pagefree; swpginuse 1, swpgonly 1",
            PagedOut,
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1",
            "!page 0 backs",
            "!active queue",
            "!pmap 0 va",
            "p0 anon 1 refs 1 wired 0",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a fault on an anon in swap reads it into the lowest free page, clean and active; the slot stays",
            "uvmfault_anonget: uvm_pagealloc (PG_CLEAN), uvm_swap_get, swpgonly--, pmap_clear_modify, "
                + "uvm_pageactivate; an_swslot is not dropped",
            [.. PagedOut, "read cpu0 0x10000000 => Ok(page 0)"],
            "page 0 backs anon 1",
            "page 0: clean",
            "active queue 0: page 0",
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 0",
            "pmap 0 va 0x000010000000: page 0 rw_",
            "counters: 2 faults, 2 pages allocated, 1 freed"
        ),
        Case(
            "page daemon: a clean anon page read from swap is freed without a write; swpgonly goes up again",
            "uvmpd_scan_inactive: PG_CLEAN and not pmap_is_modified → uvm_pagefree at once, swpgonly++; the slot kept",
            [.. PagedOut, "read cpu0 0x10000000 => Ok(page 0)", "pagedaemon page 0 pageout => Ok"],
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1",
            "!page 0 backs",
            "counters: 2 faults, 2 pages allocated, 2 freed"
        ),
        Case(
            "a store after the page-in makes it dirty: the next pageout drops the old slot and writes a new one",
            "uvmpd_scan_inactive: pmap_is_modified clears PG_CLEAN; uvmpd_dropswap frees slot 1, uvm_swap_alloc "
                + "takes the lowest free slot, 1 again",
            [.. PagedOut, "write cpu0 0x10000000 => Ok(page 0)", "pagedaemon page 0 pageout => Ok"],
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1",
            "!page 0: clean"
        ),
        Case(
            "munmap of an anon in swap frees its slot",
            "uvm_unmap_remove → amap_unref → uvm_anfree: an_page NULL and an_swslot set → swpgonly--; "
                + "uvm_anon_dropswap → uvm_swap_free",
            [.. PagedOut, "munmap p0 0x10000000 +1 => Ok"],
            "!anon 1: swap",
            "!swap:",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "munmap of an anon read back from swap frees its page and its slot",
            "uvm_anfree: pmap_page_protect, uvm_pagefree, then uvm_anon_dropswap; swpgonly was 0 already",
            [.. PagedOut, "read cpu0 0x10000000 => Ok(page 0)", "munmap p0 0x10000000 +1 => Ok"],
            "!anon 1: swap",
            "!swap:",
            "!page 0 backs",
            "counters: 2 faults, 2 pages allocated, 2 freed"
        ),
        Case(
            "page daemon: a wired anon page is on no queue and is not paged out",
            "uvm_fault_wire → uvm_fault_upper: uvm_pagewire dequeues the page; the daemon only scans the queues",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mlock p0 0x10000000 +1 => Ok",
                "pagedaemon page 0 pageout => EPERM",
                "pagedaemon page 0 deactivate => EPERM",
            ],
            "page 0 backs anon 1",
            "!active queue",
            "!inactive queue",
            "!swap:"
        ),
        Case(
            "mlock of an anon in swap: the wire fault reads it in, wires it and gives its slot back",
            "uvm_fault_upper with flt->wired: uvmfault_anonget (page 0, PG_CLEAN, swpgonly--), uvm_pagewire, then "
                + "PG_CLEAN cleared and uvm_anon_dropswap: a wired page cannot be paged out",
            [.. PagedOut, "mlock p0 0x10000000 +1 => Ok"],
            "page 0 backs anon 1",
            "!page 0: clean",
            "!anon 1: swap",
            "!swap:",
            "!active queue"
        ),
        Case(
            "munlock puts the anon page back on the active queue",
            "uvm_fault_unwire_locked: pmap_unwire, uvm_pageunwire → wire_count 0 → uvm_pageactivate",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mlock p0 0x10000000 +1 => Ok",
                "munlock p0 0x10000000 +1 => Ok",
                "pagedaemon page 0 pageout => Ok",
            ],
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1"
        ),
        Case(
            "page daemon: clean and free of an active anon page: the daemon scans the inactive queue only",
            "uvmpd_scan_inactive walks the inactive queue; an active page is not there",
            [.. Written, "pagedaemon page 0 clean => EINVAL", "pagedaemon page 0 free => EINVAL"],
            "page 0 backs anon 1",
            "active queue 0: page 0"
        ),
        Case(
            "page daemon: a dirty inactive anon page is not freed before it is cleaned",
            "uvmpd_scan_inactive: pmap_is_modified / !PG_CLEAN → the page must be written first",
            [.. Written, "pagedaemon page 0 deactivate => Ok", "pagedaemon page 0 free => EAGAIN"],
            "page 0 backs anon 1",
            "inactive queue 0: page 0",
            "!swap:"
        ),
        Case(
            "page daemon: cleaning a dirty inactive anon page writes it to slot 1; it stays resident, clean, inactive",
            "uvmpd_scan_inactive: uvm_swap_alloc (slot 1), an_swslot = 1, uvm_pager_put; the write's completion "
                + "sets PG_CLEAN and pmap_clear_modify; the page stays on the inactive queue; swpgonly stays 0",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 clean => Ok",
                "pagedaemon page 0 clean => EALREADY",
            ],
            "page 0 backs anon 1",
            "page 0: clean",
            "inactive queue 0: page 0",
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 0",
            "page 0: unref clean wire 0"
        ),
        Case(
            "page daemon: the cleaned page is freed by the next pass; the anon lives only in its slot",
            "uvmpd_scan_inactive: PG_CLEAN → anon->an_page = NULL, uvm_pagefree, swpgonly++",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 clean => Ok",
                "pagedaemon page 0 free => Ok",
            ],
            "!page 0 backs",
            "!inactive queue",
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1"
        ),
        Case(
            "a store to a cleaned page that was faulted back before the free dirties it again",
            "the fault reactivates the page (uvm_fault_upper: uvm_pageactivate) and the store sets the modified "
                + "bit; deactivated again, uvmpd_scan_inactive finds it modified: not freed unwritten",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 clean => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 free => EAGAIN",
            ],
            "page 0 backs anon 1",
            "!page 0: clean",
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 0"
        ),
        Case(
            "fork shares the anon with its slot: the parent's exit keeps it, the child's fault reads it in",
            "uvmspace_fork → amap_ref: an_ref 2; the parent's uvm_anfree is an_ref-- only; the child's "
                + "uvmfault_anonget reads slot 1 into page 0",
            [
                .. PagedOut,
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "exit p0 => Ok",
                "switch cpu1 p1 => Ok",
                "read cpu1 0x10000000 => Ok(page 0)",
            ],
            "anon 1: swap slot 1",
            "page 0 backs anon 1",
            "page 0: clean",
            "swap: swpginuse 1 swpgonly 0"
        ),
        Case(
            "copy on write from an anon in swap: the old anon is read in first, then the copy takes the next page",
            "uvm_fault_upper: uvmfault_anonget(oanon) → page 0 (clean, activated); an_ref 2 and a write → "
                + "uvm_analloc, uvm_pagealloc → page 1, uvm_pagecopy (dirty), uvm_pageactivate",
            [
                .. Written,
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "pagedaemon page 0 pageout => Ok",
                "switch cpu1 p1 => Ok",
                "write cpu1 0x10000000 => Ok(page 1)",
            ],
            "page 0 backs anon 1",
            "page 1 backs anon 2",
            "page 0: clean",
            "!page 1: clean",
            "active queue 0: page 0",
            "active queue 1: page 1",
            "anon 1: swap slot 1",
            "!anon 2: swap",
            "swap: swpginuse 1 swpgonly 0"
        ),
        Case(
            "page daemon: a page deactivated earlier is paged out from the inactive queue, written since dirty",
            "uvmpd_scan_active put it on the inactive queue; uvmpd_scan_inactive: pmap_page_protect, not PG_CLEAN "
                + "→ uvm_swap_alloc (slot 1), the write, uvm_pagefree",
            [.. Written, "pagedaemon page 0 deactivate => Ok", "pagedaemon page 0 pageout => Ok"],
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1",
            "!inactive queue"
        ),
        Case(
            "copy on write from an anon in swap with no free page: the page-in waits for memory",
            "uvmfault_anonget: uvm_pagealloc fails → uvm_wait (no pagedaemon in this slice)",
            [
                .. Written,
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "pagedaemon page 0 pageout => Ok",
                "mmap p0 0x20000000 +6 rw- private => Ok",
                "write cpu0 0x20000000 => Ok(page 0)",
                "write cpu0 0x20001000 => Ok(page 1)",
                "write cpu0 0x20002000 => Ok(page 2)",
                "write cpu0 0x20003000 => Ok(page 3)",
                "write cpu0 0x20004000 => Ok(page 4)",
                "write cpu0 0x20005000 => Ok(page 5)",
                "switch cpu1 p1 => Ok",
                "write cpu1 0x10000000 => " + KernelCases.Wait,
            ],
            "anon 1: swap slot 1",
            "swap: swpginuse 1 swpgonly 1"
        ),
        Case(
            "page daemon: with every slot taken, a dirty anon page stays resident, on the inactive queue",
            "uvmpd_scan_inactive: uvm_swap_alloc fails → \"no swap? give up!\": PG_BUSY cleared, continue; "
                + "the page stays on the inactive queue, dirty",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +5 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "write cpu0 0x10001000 => Ok(page 1)",
                "write cpu0 0x10002000 => Ok(page 2)",
                "write cpu0 0x10003000 => Ok(page 3)",
                "write cpu0 0x10004000 => Ok(page 4)",
                "pagedaemon page 0 pageout => Ok",
                "pagedaemon page 1 pageout => Ok",
                "pagedaemon page 2 pageout => Ok",
                "pagedaemon page 3 pageout => Ok",
                "pagedaemon page 4 pageout => ENOSPC",
            ],
            "page 4 backs anon 5",
            "inactive queue 0: page 4",
            "!active queue",
            "anon 4: swap slot 4",
            "!anon 5: swap",
            "swap: swpginuse 4 swpgonly 4"
        ),
    ];
}
