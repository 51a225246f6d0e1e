using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// msync, madvise and the page daemon, derived by hand from OpenBSD's uvm_mmap.c (sys_msync: PGO_CLEANIT
/// and PGO_SYNCIO always, PGO_FREE for MS_INVALIDATE; sys_madvise), uvm_map.c (uvm_map_clean: the hole
/// check, the amap's deactivations, pgo_flush unless PGO_FREE of a read-only or copy-on-write entry),
/// uvm_vnode.c (uvn_flush), uvm_pager.c (uvm_pager_put) and uvm_pdaemon.c (uvmpd_scan_active,
/// uvmpd_scan_inactive).
/// </summary>
public static class KernelCleanCases
{
    private const Arch A = Arch.Amd64;

    private static KernelCase Case(string name, string source, string[] steps, params string[] observed) =>
        new(name, A, source, steps, observed);

    private static readonly string[] SharedWrite =
    [
        "switch cpu0 p0 => Ok",
        "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
        "write cpu0 0x10000000 => Ok(page 0)",
    ];

    public static readonly KernelCase[] All =
    [
        Case(
            "msync: the dirty page is written, stays resident and clean, its mapping read-only; the next write faults",
            "uvn_flush(CLEANIT|SYNCIO): PG_CLEAN cleared by pmap_is_modified, pmap_page_protect(READ), "
                + "uvm_pager_put, then PG_CLEAN and pmap_clear_modify",
            [
                .. SharedWrite,
                "msync p0 0x10000000 +1 sync => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "file 1 block 0: data 1",
            "file 1 @0x0: page 0 clean active data 2",
            "page 0: ref mod wire 0",
            "pmap 0 va 0x000010000000: page 0 rw_",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "a second msync finds the page clean: nothing is written again, the mapping stays read-only",
            "uvn_flush(CLEANIT|SYNCIO): PG_CLEAN and not modified → needs_clean is false, no PGO_FREE or DEACTIVATE",
            [.. SharedWrite, "msync p0 0x10000000 +1 async => Ok", "msync p0 0x10000000 +1 async => Ok"],
            "file 1 block 0: data 1",
            "pmap 0 va 0x000010000000: page 0 r__"
        ),
        Case(
            "msync MS_INVALIDATE: the dirty page is written, then freed",
            "uvn_flush(CLEANIT|SYNCIO|FREE): pmap_page_protect(NONE) of the active clean page, the write, uvm_pagefree",
            [.. SharedWrite, "msync p0 0x10000000 +1 invalidate => Ok"],
            "file 1 block 0: data 1",
            "!file 1 @",
            "!pmap 0 va",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "msync over a hole: EFAULT",
            "uvm_map_clean: the first pass finds the range not fully mapped",
            [.. SharedWrite, "msync p0 0x10000000 +2 sync => EFAULT"],
            "!file 1 block",
            "file 1 @0x0: page 0 clean active data 1"
        ),
        Case(
            "madvise DONTNEED: the file's page and the anon's page lose their mappings, the file's goes inactive",
            "uvm_map_clean(PGO_DEACTIVATE): the amap's pages pmap_page_protect(NONE) and uvm_pagedeactivate; "
                + "uvn_flush(DEACTIVATE): the same for the object's",
            [
                .. SharedWrite,
                "mmap p0 0x10001000 +1 rw- private => Ok",
                "write cpu0 0x10001000 => Ok(page 1)",
                "madvise p0 0x10000000 +2 dontneed => Ok",
            ],
            "file 1 @0x0: page 0 dirty inactive data 1",
            "page 1 backs anon 1",
            "page 0: unref mod wire 0",
            "page 1: unref mod wire 0",
            "!pmap 0 va",
            "!file 1 block"
        ),
        Case(
            "madvise FREE of a shared file mapping: the page is freed unwritten, its contents lost",
            "uvn_flush(PGO_FREE) without PGO_CLEANIT: needs_clean is false, pmap_page_protect(NONE), uvm_pageclean",
            [.. SharedWrite, "madvise p0 0x10000000 +1 free => Ok"],
            "!file 1 @",
            "!file 1 block",
            "!pmap 0 va"
        ),
        Case(
            "madvise FREE of a private file mapping: the object is not flushed",
            "uvm_map_clean: no pgo_flush with PGO_FREE on a copy-on-write entry",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 private => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "madvise p0 0x10000000 +1 free => Ok",
            ],
            "file 1 @0x0: page 0 clean active data 0",
            "pmap 0 va 0x000010000000: page 0 r__"
        ),
        Case(
            "madvise RANDOM sets the entry's advice; WILLNEED does nothing",
            "sys_madvise: uvm_map_advice for NORMAL, RANDOM, SEQUENTIAL; MADV_WILLNEED returns 0",
            [
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "madvise p0 0x10000000 +1 random => Ok",
                "madvise p0 0x10000000 +1 willneed => Ok",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx share random wired 0 obj"
        ),
        Case(
            "madvise SEQUENTIAL then NORMAL on part of a mapping: uvm_map_advice clips",
            "uvm_map_advice: UVM_MAP_CLIP_START/END, then entry->advice",
            [
                "mmap p0 0x10000000 +2 rw- file 1 0x0 shared => Ok",
                "madvise p0 0x10001000 +1 sequential => Ok",
                "madvise p0 0x10000000 +1 normal => Ok",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx share normal wired 0 obj",
            "p0 0x10001000-0x10002000 rw-/rwx share sequential wired 0 obj"
        ),
        Case(
            "page daemon: deactivate, clean (the write), free; the next fault reads the written block back",
            "uvmpd_scan_active: uvm_pagedeactivate; uvmpd_scan_inactive: uvm_pager_put of the dirty page, "
                + "then pmap_page_protect(NONE) and uvm_pagefree of the clean one",
            [
                .. SharedWrite,
                "pagedaemon page 0 clean => EINVAL",
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 free => EAGAIN",
                "pagedaemon page 0 clean => Ok",
                "pagedaemon page 0 clean => EALREADY",
                "pagedaemon page 0 free => Ok",
                "pagedaemon page 0 free => ENOENT",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "file 1 block 0: data 1",
            "file 1 @0x0: page 0 clean active data 1",
            "pmap 0 va 0x000010000000: page 0 rw_",
            "counters: 2 faults, 2 pages allocated, 1 freed"
        ),
        Case(
            "page queues: faults append to the active tail, deactivation to the inactive tail",
            "uvm_pageactivate: TAILQ_INSERT_TAIL(&uvm.page_active); uvm_pagedeactivate: TAILQ_INSERT_TAIL(&uvm.page_inactive)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +2 r-- file 2 0x0 shared => Ok",
                "read cpu0 0x10001000 => Ok(page 0)",
                "read cpu0 0x10000000 => Ok(page 1)",
                "pagedaemon page 1 deactivate => Ok",
                "pagedaemon page 1 deactivate => EALREADY",
            ],
            "active queue 0: page 0",
            "inactive queue 0: page 1",
            "!active queue 1",
            "!inactive queue 1"
        ),
        Case(
            "an asynchronous pageout keeps the page busy; munmap's flush sleeps on it, then frees it",
            "uvmpd_scan_inactive: VM_PAGER_PEND; uvn_flush(CLEANIT|FREE|ALLPAGES) meets a PG_BUSY page: "
                + "tsleep \"uvn_flsh\" until the I/O is done, the same offset looked up again, then freed",
            [
                .. SharedWrite,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 pageout => Ok",
                "pagedaemon page 0 free => EBUSY",
                "munmap p0 0x10000000 +1 => Ok",
            ],
            "file 1 block 0: data 1",
            "!file 1 @",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a fault on a page under pageout waits for the I/O, then maps the page",
            "uvm_fault_lower: uvn_get finds the page PG_BUSY and sleeps until the pageout's aiodone unbusies it",
            [
                .. SharedWrite,
                "pagedaemon page 0 deactivate => Ok",
                "pagedaemon page 0 pageout => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "file 1 block 0: data 1",
            "file 1 @0x0: page 0 clean active data 1",
            "pmap 0 va 0x000010000000: page 0 rw_"
        ),
    ];
}
