using static UvmDiff.Properties.Conformance.Kernel.KernelCases;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The whole kernel's branches the other case files leave alone, derived by hand from uvm_mmap.c 1.203
/// (sys_msync, sys_madvise, sys_mmap → uvm_mmapfile: MAP_SHARED inherits UVM_INH_SHARE), uvm_map.c 1.346
/// (uvm_map_advice: clip both ends, set the advice, no merge; uvm_mapent_forkcopy → amap_cow_now for a
/// wired entry), uvm_amap.c (amap_cow_now: uvm_pagealloc fails → uvm_wait), uvm_fault.c 1.171
/// (uvm_fault_lower: uvn_get), uvm_vnode.c (uvn_get: uvm_pagealloc
/// fails → uvm_wait; a page read in is PG_CLEAN from uvm_pagealloc) and uvm_pdaemon.c
/// (uvmpd_scan_inactive frees only pages of the inactive queue). Six physical pages, lowest first.
/// </summary>
public static class KernelCoverageCases
{
    private const string Wait = "Hang(uvm_wait: no free page, and no pagedaemon to free one)";

    public static readonly KernelCase[] All =
    [
        Case(
            "msync, madvise and a file mmap from a dead process: ESRCH",
            A,
            "a syscall needs a live thread of the process (sys_msync, sys_madvise, sys_mmap)",
            [
                "exit p1 => Ok",
                "msync p1 0x10000000 +1 sync => ESRCH",
                "madvise p1 0x10000000 +1 normal => ESRCH",
                "mmap p1 0x10000000 +1 rw- file 1 0x0 shared => ESRCH",
                "mmap p1 any +1 rw- file 1 0x0 private => ESRCH",
            ],
            "p1 dead",
            "!p1 0x"
        ),
        Case(
            "madvise SEQUENTIAL then NORMAL: the entry is clipped, the advice set, the pieces stay apart",
            A,
            "uvm_map_advice: UVM_MAP_CLIP_START/END around the range, entry->advice = new_advice; no merge",
            [
                "mmap p0 0x10000000 +3 rw- private => Ok",
                "madvise p0 0x10001000 +1 sequential => Ok",
                "madvise p0 0x10001000 +1 normal => Ok",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx copy normal",
            "p0 0x10001000-0x10002000 rw-/rwx copy normal",
            "p0 0x10002000-0x10003000 rw-/rwx copy normal"
        ),
        Case(
            "madvise SEQUENTIAL on part of an entry: only that part says so",
            A,
            "uvm_map_advice: the range's entry clipped at both ends, the middle piece gets MADV_SEQUENTIAL",
            ["mmap p0 0x10000000 +3 rw- private => Ok", "madvise p0 0x10001000 +1 sequential => Ok"],
            "p0 0x10000000-0x10001000 rw-/rwx copy normal",
            "p0 0x10001000-0x10002000 rw-/rwx copy sequential",
            "p0 0x10002000-0x10003000 rw-/rwx copy normal"
        ),
        Case(
            "a file mmap without MAP_FIXED: first fit, shared inheritance, nothing entered until the read faults",
            A,
            "sys_mmap → uvm_mmapfile → uvm_map (no UVM_FLAG_FIXED), UVM_INH_SHARE for MAP_SHARED; "
                + "uvm_fault_lower → uvn_get reads the page in, pmap_enter with the entry's protection",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 any +2 r-- file 1 0x0 shared => Ok(0x1000)",
                "read cpu0 0x2000 => Ok(page 0)",
            ],
            "p0 0x1000-0x3000 r--/rwx share normal",
            "file 1 @0x1000: page 0 clean active",
            "pmap 0 va 0x000000002000: page 0 r__",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "out of pages on a file fault: uvn_get finds no page to read into and waits",
            A,
            "uvm_fault_lower → pgo_get = uvn_get: uvm_pagealloc returns NULL → uvm_wait(\"uvn_getpage\")",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +6 rw- private => Ok",
                "mlock p0 0x10000000 +6 => Ok",
                "mmap p0 0x20000000 +1 r-- file 1 0x0 shared => Ok",
                "read cpu0 0x20000000 => " + Wait,
            ]
        ),
        Case(
            "out of pages on a write to a private file page: the page to copy from cannot be read in",
            A,
            "uvm_fault_lower on a copy-on-write object entry: the object's page comes first (pgo_get = "
                + "uvn_get), whose uvm_pagealloc returns NULL → uvm_wait(\"uvn_getpage\"), before any promote",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +6 rw- private => Ok",
                "mlock p0 0x10000000 +6 => Ok",
                "mmap p0 0x20000000 +1 rw- file 1 0x0 private => Ok",
                "write cpu0 0x20000000 => " + Wait,
            ]
        ),
        Case(
            "fork of a wired entry with too few free pages: amap_cow_now waits for memory",
            A,
            "uvm_mapent_forkcopy: the parent's entry is wired → amap_cow_now, whose uvm_pagealloc for the "
                + "child's copy fails → uvm_wait(\"cownowpage\")",
            [
                "mmap p0 0x10000000 +4 rw- private => Ok",
                "mlock p0 0x10000000 +4 => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => " + Wait,
            ]
        ),
        Case(
            "the page daemon frees only inactive pages: an active file page is refused",
            A,
            "uvmpd_scan_inactive walks the inactive queue alone; the active page is not on it",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 r-- file 1 0x0 shared => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "pagedaemon page 0 free => EINVAL",
            ],
            "file 1 @0x0: page 0 clean active",
            "pmap 0 va 0x000010000000: page 0 r__"
        ),
    ];
}
