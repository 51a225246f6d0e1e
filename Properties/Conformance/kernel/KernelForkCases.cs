using static UvmDiff.Properties.Conformance.Kernel.KernelCases;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// fork, minherit and copy-on-write across parent and child, derived by hand from uvm_map.c 1.346
/// (uvmspace_fork: uvm_mapent_forkshared, uvm_mapent_forkcopy with its pmap_protect of the parent,
/// uvm_mapent_forkzero; uvm_map_inherit; uvm_map_teardown), uvm_amap.c 1.97 (amap_ref, amap_copy,
/// amap_cow_now, amap_add's pmap_page_protect in an AMAP_SHARED amap, amap_unref) and uvm_fault.c 1.171
/// (uvm_fault_upper: promote a written anon with an_ref &gt; 1, enter a read one without PROT_WRITE).
/// Anons and amaps are numbered kernel-wide from 1; pages are handed out lowest first, one per anon.
/// </summary>
public static class KernelForkCases
{
    /// <summary>p0 maps one private page at 0x10000000, writes it (anon 1, page 0), and forks into p1's slot.</summary>
    private static readonly string[] WrittenThenForked =
    [
        "switch cpu0 p0 => Ok",
        "mmap p0 0x10000000 +1 rw- private => Ok",
        "write cpu0 0x10000000 => Ok(page 0)",
        "exit p1 => Ok",
        "fork p0 p1 => Ok",
    ];

    public static readonly KernelCase[] All =
    [
        Case(
            "fork copy: parent and child hold amap 1 NEEDSCOPY, the parent's page is write-protected",
            A,
            "uvm_mapent_forkcopy: amap_ref (am_ref 2), child COPYONWRITE|NEEDSCOPY; the parent's amap entry, not NEEDSCOPY, with PROT_WRITE in max: pmap_protect(protection & ~PROT_WRITE), NEEDSCOPY",
            WrittenThenForked,
            "p1 alive",
            "pmap 0 va 0x000010000000: page 0 r__",
            "!pmap 1 va",
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 0 cow,nc free",
            "p1 0x10000000-0x10001000 rw-/rwx copy normal wired 0 cow,nc free",
            "p0 amap 1 slots 1 refs 2",
            "p1 amap 1 slots 1 refs 2",
            "page 0 backs anon 1",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "copy on write: the child reads the parent's page read-only, its write promotes a copy, the parent's write takes its amap back",
            A,
            "uvm_fault_check: NEEDSCOPY without object → amap_copy; uvm_fault_upper: a read of an anon with an_ref 2 enters without PROT_WRITE, a write promotes (uvmfault_promote, amap_add, an_ref--); the parent's amap_copy at am_ref 1 takes it over, an_ref 1: no promote",
            [
                .. WrittenThenForked,
                "switch cpu1 p1 => Ok",
                "read cpu1 0x10000000 => Ok(page 0)",
                "write cpu1 0x10000000 => Ok(page 1)",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "pmap 1 va 0x000010000000: page 1 rw_",
            "page 0 backs anon 1",
            "page 1 backs anon 2",
            "p0 amap 1 slots 1 refs 1",
            "p1 amap 2 slots 1 refs 1",
            "p0 anon 1 refs 1 wired 0",
            "p1 anon 2 refs 1 wired 0",
            "counters: 4 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "copy on write on arm64: the same pages, the parent's write-protected mapping faults again on its write",
            M,
            "uvm_mapent_forkcopy's pmap_protect → arm64 pmap_page_ro; uvm_fault_upper promotes in the child",
            [
                .. WrittenThenForked,
                "switch cpu1 p1 => Ok",
                "write cpu1 0x10000000 => Ok(page 1)",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "pmap 1 va 0x000010000000: page 1 rw_",
            "page 1 backs anon 2",
            "counters: 3 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "fork share: one AMAP_SHARED amap, the child's zero fill is the parent's page too",
            A,
            "MAP_SHARED anon: an amap at mmap, INHERIT_SHARE; uvm_mapent_share: amap_ref(AMAP_SHARED); both fault on anon 1 (an_ref 1) with full protection",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- shared => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "switch cpu1 p1 => Ok",
                "write cpu1 0x10000000 => Ok(page 0)",
                "write cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "pmap 1 va 0x000010000000: page 0 rw_",
            "p0 amap 1 slots 1 refs 2 shared",
            "p1 amap 1 slots 1 refs 2 shared",
            "page 0 backs anon 1",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "fork zero: the child's read is a zero fill of its own, the parent's page untouched",
            A,
            "uvm_mapent_forkzero: amap_unref, no amap for the child (COPYONWRITE|NEEDSCOPY); only INHERIT_COPY entries are write-protected",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "minherit p0 0x10000000 +1 zero => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "switch cpu1 p1 => Ok",
                "read cpu1 0x10000000 => Ok(page 1)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "pmap 1 va 0x000010000000: page 1 rw_",
            "p0 amap 1 slots 1 refs 1",
            "p1 0x10000000-0x10001000 rw-/rwx zero normal wired 0 cow free",
            "page 1 backs anon 2",
            "counters: 2 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "fork none: the child has nothing there",
            A,
            "uvmspace_fork: MAP_INHERIT_NONE → continue",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "minherit p0 0x10000000 +1 none => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "switch cpu1 p1 => Ok",
                "read cpu1 0x10000000 => EFAULT",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx none normal wired 0 cow,nc free",
            "!p1 0x",
            "p1 size 0x0"
        ),
        Case(
            "fork of a wired entry: amap_cow_now gives the child a copied page now, the parent keeps its wired writable mapping",
            A,
            "uvm_mapent_forkcopy, wired parent: amap_copy for the child, amap_cow_now (uvm_analloc, uvm_pagealloc, uvm_pagecopy); no pmap_protect",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mlock p0 0x10000000 +1 => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "!pmap 1 va",
            "page 0 backs anon 1",
            "page 1 backs anon 2",
            "p0 amap 1 slots 1 refs 1",
            "p1 0x10000000-0x10001000 rw-/rwx copy normal wired 0 cow free",
            "p1 amap 2 slots 1 refs 1",
            "p1 anon 2 refs 1 wired 0",
            "counters: 0 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "exit of the parent after fork: the child still holds anon 1, so its page stays; the child's read takes amap 1 over",
            A,
            "uvm_map_teardown → uvm_unmap_detach → amap_unref (am_ref 2 → 1): no wipe, no uvm_anfree; amap_copy at am_ref 1 takes over, an_ref 1: full protection",
            [.. WrittenThenForked, "exit p0 => Ok", "switch cpu1 p1 => Ok", "read cpu1 0x10000000 => Ok(page 0)"],
            "p0 dead",
            "page 0 backs anon 1",
            "pmap 1 va 0x000010000000: page 0 rw_",
            "p1 amap 1 slots 1 refs 1",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "promote in an AMAP_SHARED amap: the old page loses every mapping, in every process",
            A,
            "forkcopy of an AMAP_SHARED amap copies it for the child now (amap_copy: anon 1 an_ref 2) and sets NEEDSCOPY on the parent entry (write-protected); the sharer's write promotes anon 1 in amap 1, and amap_add(replace) on an AMAP_SHARED amap runs pmap_page_protect(old page, PROT_NONE)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "minherit p0 0x10000000 +1 copy => Ok",
                "exit p2 => Ok",
                "fork p0 p2 => Ok",
                "switch cpu1 p1 => Ok",
                "write cpu1 0x10000000 => Ok(page 1)",
            ],
            "!pmap 0 va",
            "pmap 1 va 0x000010000000: page 1 rw_",
            "page 0 backs anon 1",
            "page 1 backs anon 2",
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 0 nc free",
            "p0 amap 1 slots 1 refs 2 shared",
            "p0   slot 0 anon 2",
            "p2 0x10000000-0x10001000 rw-/rwx copy normal wired 0 cow free",
            "p2 amap 2 slots 1 refs 1",
            "p2   slot 0 anon 1",
            "p2 anon 1 refs 1 wired 0",
            "counters: 2 faults, 2 pages allocated, 0 freed"
        ),
        Case(
            "fork of a wired entry with every page in use: amap_cow_now waits for a page that never comes",
            A,
            "amap_cow_now: uvm_analloc or uvm_pagealloc fails → uvm_wait(\"cownowpage\") (no pagedaemon in this slice)",
            [
                "mmap p0 0x10000000 +6 rw- private => Ok",
                "mlock p0 0x10000000 +6 => Ok",
                "exit p1 => Ok",
                "fork p0 p1 => " + Wait,
            ]
        ),
        Case(
            "forkcopy of part of an AMAP_SHARED amap: the child's copy holds anon 1, the other sharer still writes it",
            A,
            "uvm_mapent_forkcopy: amap_copy for the child of an AMAP_SHARED amap (an_ref++), pmap_protect of the forking process only; p0's writable mapping of anon 1 stays, so p0's store needs no fault",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10008000 +3 rw- shared => Ok",
                "read cpu0 0x1000a000 => Ok(page 0)",
                "exit p1 => Ok",
                "fork p0 p1 => Ok",
                "minherit p1 0x1000a000 +1 copy => Ok",
                "exit p2 => Ok",
                "fork p1 p2 => Ok",
                "write cpu0 0x1000a000 => Ok(page 0)",
            ],
            "pmap 0 va 0x00001000a000: page 0 rw_",
            "p0 amap 1 slots 3 refs 4 shared",
            "p1 0x1000a000-0x1000b000 rw-/rwx copy normal wired 0 nc free",
            "p2 0x1000a000-0x1000b000 rw-/rwx copy normal wired 0 cow free",
            "p2 amap 2 slots 1 refs 1",
            "p2   slot 0 anon 1",
            "p2 anon 1 refs 2 wired 0",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "fork and minherit refusals: a live child slot, a dead parent, ZERO on a read-only entry (its start clip stays)",
            A,
            "fork1 needs a free slot; uvm_map_inherit clips the start, then EPERM for MAP_INHERIT_ZERO without PROT_WRITE",
            [
                "mmap p0 0x10000000 +2 r-- private => Ok",
                "minherit p0 0x10001000 +1 zero => EPERM",
                "fork p0 p1 => EBUSY",
                "exit p2 => Ok",
                "fork p2 p1 => ESRCH",
                "minherit p2 0x10000000 +1 share => ESRCH",
            ],
            "p0 0x10000000-0x10001000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "p0 0x10001000-0x10002000 r--/rwx copy normal wired 0 cow,nc free",
            "p2 dead"
        ),
    ];
}
