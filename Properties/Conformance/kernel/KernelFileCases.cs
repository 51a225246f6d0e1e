using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The file cases, derived by hand from OpenBSD's uvm_mmap.c (uvm_mmapfile: uvn_attach, uvm_vnp_uncache
/// for a shared writable mapping), uvm_fault.c (uvm_fault_lower: uvn_get, the read-only entry of a
/// copy-on-write object page, promotion), uvm_vnode.c (uvn_detach: uvn_flush with PGO_DEACTIVATE for a
/// vnode that may persist, PGO_CLEANIT|PGO_FREE otherwise; uvn_flush; uvn_put) and uvm_page.c
/// (uvm_pagedeactivate). A store puts the kernel's count of stores to file pages in the page.
/// </summary>
public static class KernelFileCases
{
    private const Arch A = Arch.Amd64;

    private static KernelCase Case(string name, string source, string[] steps, params string[] observed) =>
        new(name, A, source, steps, observed);

    public static readonly KernelCase[] All =
    [
        Case(
            "shared file: the write dirties the page through the pmap; munmap writes it back and frees it",
            "uvm_fault_lower: uvn_get, pmap_enter(rw); uvn_detach of an uncached vnode: "
                + "uvn_flush(CLEANIT|FREE|ALLPAGES) syncs PG_CLEAN with pmap_is_modified, uvn_put, frees",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "file 1 @0x0: page 0 clean active data 1",
            "page 0: ref mod wire 0",
            "pmap 0 va 0x000010000000: page 0 rw_",
            "!file 1 block"
        ),
        Case(
            "shared file unmapped: the dirty page is written to the file and freed",
            "uvn_detach: not UVM_VNODE_CANPERSIST → uvn_flush(PGO_CLEANIT|PGO_FREE|PGO_ALLPAGES)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "munmap p0 0x10000000 +1 => Ok",
            ],
            "file 1 block 0: data 1",
            "!file 1 @",
            "!pmap 0 va",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "private file: a read maps the file's page read-only, the write promotes it to an anon",
            "uvm_fault_lower: COPYONWRITE entry → enter_prot &= ~PROT_WRITE; write: amap_copy, promote into a new anon",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 2 0x1000 private => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "write cpu0 0x10000000 => Ok(page 1)",
            ],
            "pmap 0 va 0x000010000000: page 1 rw_",
            "page 1 backs anon 1",
            "file 2 @0x1000: page 0 clean active data 0",
            "!file 2 block",
            "counters: 2 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "private file unmapped: the vnode persists, its page deactivated",
            "uvn_detach: UVM_VNODE_CANPERSIST → uvn_flush(PGO_DEACTIVATE|PGO_ALLPAGES): pmap_page_protect(NONE), "
                + "uvm_pagedeactivate (pmap_clear_reference)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 r-- file 3 0x0 private => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
                "munmap p0 0x10000000 +1 => Ok",
            ],
            "file 3 @0x0: page 0 clean inactive data 0",
            "page 0: unref clean wire 0",
            "!pmap 0 va"
        ),
        Case(
            "one file shared by two processes: both map the one page; the first munmap flushes nothing",
            "uvn_attach: uo_refs++; uvn_detach: uo_refs-- and return while references remain",
            [
                "switch cpu0 p0 => Ok",
                "switch cpu1 p1 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "mmap p1 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "read cpu1 0x10000000 => Ok(page 0)",
                "munmap p0 0x10000000 +1 => Ok",
            ],
            "file 1 @0x0: page 0 clean active data 1",
            "pmap 1 va 0x000010000000: page 0 rw_",
            "!pmap 0 va",
            "!file 1 block"
        ),
        Case(
            "mmap of a file at the first fit; its first read fault maps the file's page read-only",
            "uvm_mmapfile without MAP_FIXED: uvm_map's first fit from VMMAP_MIN_ADDR; uvm_fault_lower as above",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 any +2 rw- file 2 0x2000 private => Ok(0x1000)",
                "read cpu0 0x2000 => Ok(page 0)",
            ],
            "p0 0x1000-0x3000 rw-/rwx copy normal wired 0 obj,cow,nc",
            "file 2 @0x3000: page 0 clean active data 0",
            "pmap 0 va 0x000000002000: page 0 r__"
        ),
        Case(
            "out of pages: a file fault with every page wired elsewhere waits for memory",
            "uvm_fault_lower: uvn_get's uvm_pagealloc fails → uvm_wait",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +6 rw- private => Ok",
                "mlock p0 0x10000000 +6 => Ok",
                "mmap p0 0x20000000 +1 r-- file 1 0x0 shared => Ok",
                "read cpu0 0x20000000 => Hang(uvm_wait: no free page, and no pagedaemon to free one)",
            ],
            "!file 1 @"
        ),
        Case(
            "a dead process: file mmap, msync and madvise are ESRCH",
            "the process has exited: no vmspace",
            [
                "exit p1 => Ok",
                "mmap p1 0x10000000 +1 rw- file 1 0x0 shared => ESRCH",
                "msync p1 0x10000000 +1 sync => ESRCH",
                "madvise p1 0x10000000 +1 normal => ESRCH",
            ],
            "p1 dead"
        ),
        Case(
            "model limit: mlock of a file mapping is refused before the map is touched",
            "the model wires no object page (uvm_fault_wire of an object entry is not modelled)",
            ["mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok", "mlock p0 0x10000000 +1 => EOPNOTSUPP"],
            "p0 0x10000000-0x10001000 rw-/rwx share normal wired 0 obj"
        ),
        Case(
            "model limit: a mapping past the end of the file is refused",
            "the kernel maps it and SIGBUSes the fault past EOF; the model's files are 8 pages",
            ["mmap p0 0x10000000 +2 rw- file 1 0x7000 shared => EINVAL"],
            "!p0 0x10000000"
        ),
    ];
}
