using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The cases, derived by hand from OpenBSD's uvm_fault.c (uvm_fault, uvm_fault_check, uvm_fault_upper,
/// uvm_fault_lower, uvm_fault_wire, uvm_fault_unwire_locked), uvm_map.c (uvm_map with UVM_FLAG_UNMAP,
/// uvm_unmap_remove, uvm_map_protect, uvm_map_pageable, uvmspace_free) and uvm_mmap.c (sys_mmap,
/// sys_munmap, sys_mprotect, sys_mlock, sys_munlock), with the pmap contracts of uvm_pmap.h. Pages are
/// handed out lowest first; anon ids count up from 1 across the whole kernel (one pool for every map).
/// </summary>
public static class KernelCases
{
    internal const Arch A = Arch.Amd64,
        M = Arch.Arm64;

    internal static KernelCase Case(string name, Arch arch, string source, string[] steps, params string[] observed) =>
        new(name, arch, source, steps, observed);

    internal const string Wait = "Hang(uvm_wait: no free page, and no pagedaemon to free one)";

    public static readonly KernelCase[] All =
    [
        Case(
            "zero fill: the first read maps a new page with the entry's protection, the second hits the pmap",
            A,
            "uvm_fault_lower, no object: uvm_analloc and a zeroed page, pmap_enter(entry protection, access READ)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "page 0 backs anon 1",
            "page 0: ref clean wire 0",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "no entry: EFAULT",
            A,
            "uvm_fault: uvmfault_lookup fails => EFAULT (trap sends SIGSEGV)",
            ["switch cpu0 p0 => Ok", "read cpu0 0x10000000 => EFAULT"],
            "!pmap 0 va",
            "counters: 1 faults, 0 pages allocated, 0 freed"
        ),
        Case(
            "protection: a write to a read-only entry is EACCES and allocates nothing; a read maps r--",
            A,
            "uvm_fault_check: (entry->protection & access_type) != access_type => EACCES",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 r-- private => Ok",
                "write cpu0 0x10000000 => EACCES",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 r__",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "no process on the CPU: the access reaches no user map",
            A,
            "the CPU runs a kernel thread: no user pmap is active",
            ["read cpu1 0x10000000 => ESRCH"],
            "cpu 1: kernel"
        ),
        Case(
            "mprotect down then up: pmap_protect never grants, so the next write faults and re-enters",
            A,
            "uvm_map_protect: pmap_protect(entry protection & MASK); uvm_fault re-enters with the new protection",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mprotect p0 0x10000000 +1 r-- => Ok",
                "mprotect p0 0x10000000 +1 rw- => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "mprotect down then up on arm64: pmap_page_ro strips write for good; the write faults and re-enters",
            M,
            "uvm_map_protect: pmap_protect(PROT_READ) → arm64 pmap_page_ro; uvm_fault re-enters",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mprotect p0 0x10000000 +1 r-- => Ok",
                "mprotect p0 0x10000000 +1 rw- => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "mlock: uvm_fault_wire enters every page with PMAP_WIRED and no access",
            A,
            "uvm_map_pageable(wire) → uvm_fault_wire → uvm_fault(VM_FAULT_WIRE): pmap_enter(PMAP_WIRED), uvm_pagewire",
            ["mmap p0 0x10000000 +2 rw- private => Ok", "mlock p0 0x10000000 +2 => Ok"],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "pmap 0 va 0x000010001000: page 1 rw_ wired",
            "page 0: unref clean wire 1",
            "page 1: unref clean wire 1",
            "counters: 0 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "mlock on arm64: the same wired mappings; the wire fault's full access presets REF and MOD",
            M,
            "uvm_fault_check: a wire fault's access_type = enter_prot (\"full access for wired\"); arm64 pmap_enter "
                + "sets PG_PMAP_REF from the access type, PG_PMAP_MOD for PROT_WRITE into a writable mapping",
            ["mmap p0 0x10000000 +2 rw- private => Ok", "mlock p0 0x10000000 +2 => Ok"],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "page 0: ref mod wire 1",
            "counters: 0 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "munlock: uvm_fault_unwire_locked unwires each page in the pmap and the page",
            A,
            "uvm_map_pageable(unwire) → uvm_fault_unwire_locked: pmap_unwire, uvm_pageunwire",
            [
                "mmap p0 0x10000000 +2 rw- private => Ok",
                "mlock p0 0x10000000 +2 => Ok",
                "munlock p0 0x10000000 +2 => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "!pmap 0 va 0x000010000000: page 0 rw_ wired",
            "page 0: unref clean wire 0",
            "page 1: unref clean wire 0"
        ),
        Case(
            "munmap of a wired range: unwire, pmap_remove, and the anons' pages freed",
            A,
            "uvm_unmap_remove → uvm_unmap_kill_entry: uvm_fault_unwire_locked, pmap_remove; amap_unref frees the anons",
            [
                "mmap p0 0x10000000 +2 rw- private => Ok",
                "mlock p0 0x10000000 +2 => Ok",
                "munmap p0 0x10000000 +2 => Ok",
            ],
            "!pmap 0 va",
            "!page 0 backs",
            "page 0: unref clean wire 0",
            "page 1: unref clean wire 0",
            "counters: 0 faults, 2 pages allocated, 2 freed"
        ),
        Case(
            "fixed mmap over a mapped page: the old mapping goes, its page is freed, the next fault gets a new anon",
            A,
            "uvm_map with UVM_FLAG_FIXED|UVM_FLAG_UNMAP: uvm_unmap_remove before the new entry",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "page 0 backs anon 2",
            "counters: 2 faults, 2 pages allocated, 1 freed"
        ),
        Case(
            "exit: teardown and pmap destruction, the CPU back to a kernel thread, every page freed",
            A,
            "exit1 → uvmspace_free: uvm_map_teardown, pmap_destroy; ref/mod stay with the page",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "exit p0 => Ok",
                "read cpu0 0x10000000 => ESRCH",
            ],
            "p0 dead",
            "cpu 0: kernel",
            "pmap 0: dead",
            "page 0: ref mod wire 0",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "exit of a wired mapping: the teardown unwires it; the freed page keeps the REF/MOD the wire fault preset",
            M,
            "uvm_map_teardown: wired entries are unwired (uvm_fault_unwire_locked) before the pmap goes; "
                + "PG_PMAP_REF/MOD stay in pg_flags until uvm_pagealloc sets them afresh",
            ["mmap p0 0x10000000 +1 rw- private => Ok", "mlock p0 0x10000000 +1 => Ok", "exit p0 => Ok"],
            "page 0: ref mod wire 0",
            "pmap 0: dead, 0 mapped, 0 wired"
        ),
        Case(
            "a process slot: spawn only when dead, exit only when alive, no switch to the dead and no syscall from it",
            A,
            "fork1 takes a free slot (uvmspace_alloc, pmap_create); cpu_switchto only runs live threads",
            [
                "spawn p1 => EBUSY",
                "exit p1 => Ok",
                "exit p1 => ESRCH",
                "switch cpu0 p1 => ESRCH",
                "mmap p1 0x10000000 +1 rw- private => ESRCH",
                "mmap p1 any +1 rw- private => ESRCH",
                "munmap p1 0x10000000 +1 => ESRCH",
                "mprotect p1 0x10000000 +1 r-- => ESRCH",
                "mlock p1 0x10000000 +1 => ESRCH",
                "munlock p1 0x10000000 +1 => ESRCH",
                "spawn p1 => Ok",
            ],
            "p1 alive",
            "pmap 1: alive"
        ),
        Case(
            "two CPUs, two processes: each fault maps into its own pmap",
            A,
            "uvm_fault on the faulting thread's map; pmap_enter into that map's pmap",
            [
                "switch cpu0 p0 => Ok",
                "switch cpu1 p1 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mmap p1 0x10000000 +1 rw- shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "write cpu1 0x10000000 => Ok(page 1)",
            ],
            "page 0 backs anon 1",
            "page 1 backs anon 2",
            "pmap 1 va 0x000010000000: page 1 rw_"
        ),
        Case(
            "the first fault of a large private mapping clips out its 64 KiB chunk",
            A,
            "uvm_fault_check → amap_copy(canchunk): an entry of UVM_AMAP_LARGE pages or more is clipped to the chunk",
            ["switch cpu0 p0 => Ok", "mmap p0 0x20000000 +300 rw- private => Ok", "read cpu0 0x20011000 => Ok(page 0)"],
            "p0 0x20000000-0x20010000 rw-/rwx copy normal wired 0 cow,nc",
            "p0 0x20010000-0x20020000 rw-/rwx copy normal wired 0 cow free",
            "p0 0x20020000-0x2012c000 rw-/rwx copy normal wired 0 cow,nc",
            "pmap 0 va 0x000020011000: page 0 rw_"
        ),
        Case(
            "out of pages: the seventh wire fault waits for memory that never comes",
            A,
            "uvm_fault: uvm_analloc or uvm_pagealloc fails → uvm_wait (no pagedaemon in this slice)",
            ["mmap p0 0x10000000 +7 rw- private => Ok", "mlock p0 0x10000000 +7 => " + Wait]
        ),
        Case(
            "out of pages on an access: the fault of a seventh page waits for memory",
            A,
            "uvm_fault_upper → uvmfault_promote: uvm_pagealloc fails → uvm_wait (no pagedaemon in this slice)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +7 rw- private => Ok",
                "mlock p0 0x10000000 +6 => Ok",
                "write cpu0 0x10006000 => " + Wait,
            ]
        ),
        Case(
            "mmap without MAP_FIXED: nothing is entered in the pmap until a fault",
            A,
            "sys_mmap → uvm_mmapanon → uvm_mapanon: an entry, no pmap_enter (placement is the model's first fit)",
            ["mmap p0 any +2 rw- private => Ok(0x1000)", "mmap p0 any +1 r-- shared => Ok(0x3000)"],
            "p0 0x1000-0x3000 rw-/rwx copy",
            "p0 0x3000-0x4000 r--/rwx share",
            "!pmap 0 va",
            "counters: 0 faults, 0 pages allocated, 0 freed"
        ),
        Case(
            "wrap-around: mprotect, mlock and munlock of a range past the top of the address space are EINVAL",
            A,
            "sys_mprotect, sys_mlock, sys_munlock: addr > SIZE_MAX - size => EINVAL before the map is looked at",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mprotect p0 0xfffffffffffff000 +2 r-- => EINVAL",
                "mlock p0 0xfffffffffffff000 +2 => EINVAL",
                "munlock p0 0xfffffffffffff000 +2 => EINVAL",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 0"
        ),
        Case(
            "mprotect of a shared mapping: MASK drops PROT_WRITE from copy-on-write entries only, so pmap_protect gets r--",
            A,
            "uvm_map_protect: pmap_protect(current->protection & MASK(current)); MASK is PROT_MASK for a shared entry",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mprotect p0 0x10000000 +1 r-- => Ok",
                "write cpu0 0x10000000 => EACCES",
            ],
            "pmap 0 va 0x000010000000: page 0 r__",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "mlock of a page a write mapped: the wire fault re-enters it with PMAP_WIRED and uvm_pagewire",
            A,
            "uvm_fault_wire → uvm_fault_upper: pmap_enter(PMAP_WIRED) over the same page sets PG_W; uvm_pagewire",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mlock p0 0x10000000 +1 => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "page 0: ref mod wire 1",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "mlock of a page a write mapped, on arm64: pmap_enter returns early, the PTE stays unwired, the page is wired",
            M,
            "arm64 pmap_enter (1.113): same pa, prot and cache → return 0 before PMAP_WIRED is looked at; uvm_fault_upper still calls uvm_pagewire",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mlock p0 0x10000000 +1 => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "!pmap 0 va 0x000010000000: page 0 rw_ wired",
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 1",
            "page 0: ref mod wire 1"
        ),
        Case(
            "munlock of that page on arm64: the page is unwired though its PTE never was",
            M,
            "uvm_fault_unwire_locked: pmap_extract finds the page; pmap_unwire (1.113) leaves a pted without PTED_VA_WIRED_M alone; uvm_pageunwire(pg)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mlock p0 0x10000000 +1 => Ok",
                "munlock p0 0x10000000 +1 => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "pmap 0: alive, 1 mapped, 0 wired",
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 0",
            "page 0: ref mod wire 0"
        ),
        Case(
            "a fault on a wired entry wires the page again: amd64's pmap_protect took write, the write re-enters it",
            A,
            "uvm_fault_check: VM_MAPENT_ISWIRED → flt->wired, access_type = enter_prot; uvm_fault_upper: pmap_enter(PMAP_WIRED), uvm_pagewire",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mlock p0 0x10000000 +1 => Ok",
                "mprotect p0 0x10000000 +1 r-- => Ok",
                "mprotect p0 0x10000000 +1 rw- => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "page 0: ref mod wire 2",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "munmap across a half-faulted mapping and an untouched one: only the faulted page had a translation",
            A,
            "uvm_unmap_remove: pmap_remove over each entry; amap_unref frees the one anon",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +2 rw- private => Ok",
                "mmap p0 0x10002000 +1 r-- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "munmap p0 0x10000000 +3 => Ok",
            ],
            "!pmap 0 va",
            "!p0 0x",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a switch onto a busy CPU deactivates the pmap leaving it; a switch to idle leaves the CPU to the kernel",
            A,
            "cpu_switchto: pmap_deactivate(old), pmap_activate(new); a kernel thread activates no user pmap",
            [
                "switch cpu0 p0 => Ok",
                "switch cpu0 p1 => Ok",
                "read cpu0 0x10000000 => EFAULT",
                "switch cpu1 p0 => Ok",
                "switch cpu1 idle => Ok",
            ],
            "cpu 0: pmap 1",
            "cpu 1: kernel"
        ),
    ];
}
