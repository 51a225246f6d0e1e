using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The kernel's own memory, derived by hand from OpenBSD's uvm_km.c 1.157 (km_alloc with kv_any and
/// kp_pageable: uvm_map of kernel_object at the first fit, no page; km_free: pmap_remove(pmap_kernel()),
/// uvm_unmap → uvm_km_pgremove: uao_dropswap, uvm_pagefree, swpgonlydelta for a slot without a page),
/// uvm_aobj.c (uao_get: uvm_pagezero clears PG_CLEAN; a swap read keeps the slot and leaves the page
/// CLEAN, a failed one sets SWSLOT_BAD and frees the page; uvm_swap_get: swpgonly-- on success, SWSLOT_BAD
/// fails at once), uvm_swap.c (uvm_swap_markbad keeps the slot allocated; uvm_swap_free ignores
/// SWSLOT_BAD), uvm_pdaemon.c (uvmpd_scan_inactive: a swap-backed page written to a new slot, freed,
/// swpgonly++), uvm_object.c (uvm_obj_wire: PG_CLEAN cleared and uao_dropswap of the batch index, then
/// uvm_pagewire; uvm_obj_unwire: KASSERT(pg != NULL), uvm_pageunwire activates at wire count 0) and
/// drm's i915_gem_object_get_pages_phys (uvm_obj_wire of one page at a time). Kernel accesses are
/// copyin/copyout, whose pcb_onfault turns a failed fault into EFAULT.
/// </summary>
public static class KernelMemoryCases
{
    private const Arch A = Arch.Amd64;
    private const string Base = "0xffff800000000000";
    private const string Second = "0xffff800000001000";

    private static KernelCase Case(string name, string source, string[] steps, params string[] observed) =>
        new(name, A, source, steps, observed);

    private static readonly string[] Written = [$"kmalloc +1 => Ok({Base})", $"kwrite {Base} => Ok(page 0)"];

    private static readonly string[] PageOut0 =
    [
        "pagedaemon page 0 deactivate => Ok",
        "pagedaemon page 0 clean => Ok",
        "pagedaemon page 0 free => Ok",
    ];

    private static readonly string[] PagedOut = [.. Written, .. PageOut0];

    private static readonly string[] BadSlot = [.. PagedOut, $"kread {Base} swaperror => EFAULT"];

    private static readonly string[] Pinned = ["gem pin 0x0 => Ok"];

    public static readonly KernelCase[] All =
    [
        Case(
            "km_alloc(kp_pageable) takes the first fit of kernel_map and no page; km_free gives the range back",
            "km_alloc: kp_pageable skips uvm_pglistalloc, uvm_map(kernel_map, vm_map_min) first fit, nothing "
                + "entered; NULL when nothing fits (kv_any does not wait); km_free → uvm_unmap",
            [
                $"kmalloc +2 => Ok({Base})",
                "kmalloc +1 => Ok(0xffff800000002000)",
                "kmalloc +2 => ENOMEM",
                $"kfree {Base} +2 => Ok",
                $"kmalloc +1 => Ok({Base})",
            ],
            $"kmem {Base}: allocated",
            $"!kmem {Second}",
            "kmem 0xffff800000002000: allocated",
            "!kernel_object @",
            "counters: 0 faults, 0 pages allocated, 0 freed"
        ),
        Case(
            "the first copyin faults: uao_get zero-fills the lowest free page, entered writable and activated; the next access hits",
            "uvm_fault(kernel_map) → uvm_fault_lower: uao_get (uvm_pagezero clears PG_CLEAN), "
                + "pmap_enter(PROT_READ|PROT_WRITE), uvm_pageactivate; the store sets the modified bit",
            [.. Written, $"kread {Base} => Ok(page 0)", $"kwrite {Base} => Ok(page 0)"],
            "kernel_object @0x0: page 0 dirty active data 2 wire 0 mapped mod",
            "active queue 0: page 0",
            "counters: 1 faults, 1 pages allocated, 0 freed",
            "!swap:"
        ),
        Case(
            "copyin/copyout outside what km_alloc handed out is EFAULT; a copyout zero-fills an untouched page",
            "uvm_fault finds no entry (or one of another object) → copyin's pcb_onfault: EFAULT",
            [
                $"kread {Base} => EFAULT",
                $"kmalloc +1 => Ok({Base})",
                $"kwrite {Second} => EFAULT",
                "kread 0xffff7ffffffff000 => EFAULT",
                "kwrite 0xffff800000004000 => EFAULT",
                $"kread {Base} => Ok(page 0)",
            ],
            "kernel_object @0x0: page 0 dirty active data 0 wire 0 mapped",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "the page daemon pages a kernel page out: written to a swap slot and freed, the slot its only copy",
            "uvmpd_scan_active: uvm_pagedeactivate; uvmpd_scan_inactive: a swap-backed dirty page gets a slot "
                + "(uao_set_swslot) and uvm_swap_put, comes back CLEAN; a later pass frees it, uvmexp.swpgonly++",
            PagedOut,
            "!kernel_object @",
            "kernel_object swap 0: data 1",
            "swap: swpginuse 1 swpgonly 1",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a copyout of a paged-out kernel page reads it back: CLEAN, the slot kept, no longer the only copy",
            "uao_get: uvm_swap_get(PGO_SYNCIO) (swpgonly--), PG_FAKE cleared, pmap_clear_modify; the slot stays",
            [.. PagedOut, $"kread {Base} => Ok(page 0)"],
            "kernel_object @0x0: page 0 clean active data 1 wire 0 mapped",
            "kernel_object swap 0: data 1",
            "swap: swpginuse 1 swpgonly 0",
            "counters: 2 faults, 2 pages allocated, 1 freed"
        ),
        Case(
            "a failed swap read leaves SWSLOT_BAD, the slot still allocated, and the copy EFAULT; the next read fails at once",
            "uao_get: uvm_swap_get fails → uao_set_swslot(SWSLOT_BAD), uvm_swap_markbad, uvm_pagefree, "
                + "VM_PAGER_ERROR; uvm_fault's EIO → pcb_onfault; uvm_swap_get(SWSLOT_BAD) is VM_PAGER_ERROR",
            [.. BadSlot, $"kread {Base} => EFAULT"],
            "!kernel_object @",
            "kernel_object swap 0: SWSLOT_BAD",
            "swap: swpginuse 1 swpgonly 1",
            "counters: 3 faults, 3 pages allocated, 3 freed"
        ),
        Case(
            "km_free over a SWSLOT_BAD slot: the slot is forgotten and counted off swpgonly; the bad slot stays in use",
            "uvm_km_pgremove: uao_dropswap returns SWSLOT_BAD (nonzero), no page → swpgonlydelta++; "
                + "uvm_swap_free ignores SWSLOT_BAD; uvm_swap_markbad kept the real slot allocated",
            [.. BadSlot, $"kfree {Base} +1 => Ok"],
            "!kernel_object swap",
            "!kmem",
            "swap: swpginuse 1 swpgonly 0"
        ),
        Case(
            "km_free of a resident page and a swapped-out one: the page freed, the slot dropped, swpgonly down by one",
            "km_free: pmap_remove(pmap_kernel()); uvm_km_pgremove: uao_dropswap and uvm_pagefree of the "
                + "resident page, uao_dropswap of the other's slot with swpgonlydelta++",
            [
                $"kmalloc +2 => Ok({Base})",
                $"kwrite {Base} => Ok(page 0)",
                $"kwrite {Second} => Ok(page 1)",
                .. PageOut0,
                $"kfree {Second} +2 => EINVAL",
                "kfree 0xffff800000003000 +2 => EINVAL",
                $"kfree {Base} +2 => Ok",
                $"kfree {Base} +1 => EINVAL",
            ],
            "!kernel_object",
            "!kmem",
            "!swap:",
            "counters: 2 faults, 2 pages allocated, 2 freed"
        ),
        Case(
            "the page daemon deactivates a kernel page: pmap_kernel's mapping goes, the next copyin faults it back without a read",
            "uvm_pagedeactivate: pmap_page_protect(PROT_NONE), PG_CLEAN cleared for a modified page; "
                + "uvm_fault_lower finds the resident page, pmap_enter, uvm_pageactivate",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 deactivate => EALREADY",
                "pagedaemon page 0 free => EAGAIN",
                $"kwrite {Base} => Ok(page 0)",
            ],
            "kernel_object @0x0: page 0 dirty active data 2 wire 0 mapped mod",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "the inactive scan writes a dirty page before it frees it: off the inactive queue nothing happens, a clean page is not written again",
            "uvmpd_scan_inactive: only inactive pages; a dirty one is written (uvm_pager_put), a clean one freed "
                + "(swpgonly++); the active scan deactivates",
            [
                .. Written,
                "pagedaemon page 0 clean => EINVAL",
                "pagedaemon page 0 free => EINVAL",
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 free => EAGAIN",
                "pagedaemon page 0 clean => Ok",
                "pagedaemon page 0 clean => EALREADY",
            ],
            "kernel_object @0x0: page 0 clean inactive data 1 wire 0",
            "kernel_object swap 0: data 1",
            "swap: swpginuse 1 swpgonly 0"
        ),
        Case(
            "an asynchronous pageout leaves the page busy; km_free's uvm_km_pgremove waits for it, then frees it and drops the slot",
            "uvm_pager_put → VM_PAGER_PEND: the page stays PG_BUSY until uvm_aio_aiodone; uvm_km_pgremove: "
                + "uvm_pagewait(km_pgrm), the same offset again, uao_dropswap and uvm_pagefree",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 pageout => Ok",
                "pagedaemon page 0 free => EBUSY",
                $"kfree {Base} +1 => Ok",
            ],
            "!kernel_object",
            "!swap:",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a copyin meets the page daemon's pageout in flight: it waits for the I/O and maps the page, now clean",
            "uvm_fault_lower: uao_get finds the page busy, uvm_pagewait until uvm_aio_aiodone; pmap_enter, "
                + "uvm_pageactivate; the store sets the modified bit (PG_CLEAN is synced later)",
            [
                .. Written,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 pageout => Ok",
                $"kwrite {Base} => Ok(page 0)",
            ],
            "kernel_object @0x0: page 0 clean active data 2 wire 0 mapped mod",
            "kernel_object swap 0: data 1",
            "swap: swpginuse 1 swpgonly 0",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "with every swap slot taken the write fails and the page is reactivated",
            "uvmpd_scan_inactive: uvm_swap_alloc finds no slot → the page goes back to the active queue",
            [
                $"kmalloc +4 => Ok({Base})",
                $"kwrite {Base} => Ok(page 0)",
                $"kwrite {Second} => Ok(page 1)",
                "kwrite 0xffff800000002000 => Ok(page 2)",
                "kwrite 0xffff800000003000 => Ok(page 3)",
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 clean => Ok",
                "pagedaemon page 1 deactivate => Ok",
                "pagedaemon page 1 clean => Ok",
                "pagedaemon page 2 deactivate => Ok",
                "pagedaemon page 2 clean => Ok",
                "pagedaemon page 3 deactivate => Ok",
                "pagedaemon page 3 clean => Ok",
                .. Pinned,
                "gem unpin 0x0 +1 => Ok",
                "pagedaemon page 4 deactivate => Ok",
                "pagedaemon page 4 clean => ENOSPC",
            ],
            "gem @0x0: page 4 dirty active data 0 wire 0",
            "!gem swap",
            "swap: swpginuse 4 swpgonly 0"
        ),
        Case(
            "the GEM driver pins a page: uvm_obj_wire zero-fills it, clears PG_CLEAN and wires it off the queues",
            "i915_gem_object_get_pages_phys: uvm_obj_wire(uao, 0, PAGE_SIZE): uao_get, PG_CLEAN cleared, "
                + "uvm_pagewire (dequeued), uvm_page_unbusy; a second pin wires it again",
            [
                .. Pinned,
                "gem pin 0x0 => Ok",
                "pagedaemon page 0 deactivate => EPERM",
                "pagedaemon page 0 clean => EINVAL",
            ],
            "gem @0x0: page 0 dirty none data 0 wire 2",
            "counters: 0 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "unpinned, the GEM page is activated; the daemon pages it out and a new pin reads it back and drops its slot",
            "uvm_obj_unwire: uvm_pageunwire activates at wire count 0; uvmpd_scan_inactive pages it out; "
                + "uvm_obj_wire: uao_get from swap (swpgonly--), uao_dropswap (the batch index, 0 here)",
            [.. Pinned, "gem unpin 0x0 +1 => Ok", .. PageOut0, "gem pin 0x0 => Ok"],
            "gem @0x0: page 0 dirty none data 0 wire 1",
            "!gem swap",
            "!swap:",
            "counters: 0 faults, 2 pages allocated, 1 freed"
        ),
        Case(
            "pinning the second GEM page drops the first page's slot, the only copy of its contents (mirrored kernel bug)",
            "uvm_obj_wire: uao_dropswap(uobj, i) with i the index inside the batch (0), not the page's own; "
                + "uao_dropswap frees the slot (swpginuse--) and leaves swpgonly to its caller; a later uao_get zero-fills",
            [
                .. Pinned,
                "gem pin 0x1000 => Ok",
                "gem unpin 0x0 +2 => Ok",
                .. PageOut0,
                "gem pin 0x1000 => Ok",
                "gem pin 0x0 => Ok",
            ],
            "!gem swap",
            "swap: swpginuse 0 swpgonly 1",
            "gem @0x0: page 0 dirty none data 0 wire 1",
            "gem @0x1000: page 1 dirty none data 0 wire 1"
        ),
        Case(
            "a driver unpinning a page it never pinned, which nothing brought in, trips uvm_obj_unwire's KASSERT",
            "uvm_obj_unwire: uvm_pagelookup finds no page at 0x1000 → KASSERT(pg != NULL)",
            [
                .. Pinned,
                "gem unpin 0x1000 +2 => EINVAL",
                "gem unpin 0x0 +2 => Panic(kernel diagnostic assertion \"pg != NULL\" failed)",
            ],
            "gem @0x0: page 0 dirty active data 0 wire 0"
        ),
        Case(
            "an unpin of a resident page without a pin is refused: uvm_pageunwire would wrap its wire count",
            "uvm_pageunwire has no underflow check (the model refuses rather than wrap)",
            [.. Pinned, "gem unpin 0x0 +1 => Ok", "gem unpin 0x0 +1 => EINVAL"],
            "gem @0x0: page 0 dirty active data 0 wire 0",
            "active queue 0: page 0"
        ),
        Case(
            "with every page taken, a kernel fault and a pin wait for memory",
            "uvm_fault_lower / uao_get: uvm_pagealloc fails → uvm_wait",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +6 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "write cpu0 0x10001000 => Ok(page 1)",
                "write cpu0 0x10002000 => Ok(page 2)",
                "write cpu0 0x10003000 => Ok(page 3)",
                "write cpu0 0x10004000 => Ok(page 4)",
                "write cpu0 0x10005000 => Ok(page 5)",
                $"kmalloc +1 => Ok({Base})",
                $"kwrite {Base} => {KernelCases.Wait}",
                $"gem pin 0x0 => {KernelCases.Wait}",
            ],
            "!kernel_object @",
            "!gem @"
        ),
    ];
}
