using UvmDiff.Harness.Core;
using UvmDiff.Harness.Snapshots;

namespace UvmDiff.Harness.Kernel;

/// <summary>
/// The whole kernel's snapshot scenarios, one suite per architecture (<c>Snapshots/kernel-amd64</c>,
/// <c>Snapshots/kernel-arm64</c>): each is rendered on the reference kernel of that architecture, and
/// every implementation kernel of the same architecture must render the same text. Besides mlock then
/// exit, they carry the intent of OpenBSD's <c>regress/sys/uvm</c> tests that fit anonymous memory
/// (mmap_fixed, mmap_hint, mmap_size, mmap_4g) in op sequences of their own.
/// </summary>
public static class KernelScenarios
{
    public static IReadOnlyList<Scenario<KernelOp>> All { get; } =
    [
        Scenarios.Define(
            KernelOpParser.Parse,
            "MlockThenExit",
            "mlock of a fresh mapping faults every page in wired (uvm_fault_wire); exit unwires each "
                + "(uvm_unmap_kill_entry: uvm_fault_unwire_locked before pmap_remove) and frees it",
            (
                "p0 maps three pages and mlocks them, then reads one: the read hits the wired translation",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +3 rw- private
                mlock p0 0x10000000 +3
                read cpu0 0x10001000
                """
            ),
            ("exit: every page unwired, unmapped and freed", "exit p0")
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "MlockMappedPageThenExit",
            "mlock over a page a write has already mapped, then exit. On arm64 (pmap.c 1.113) pmap_enter "
                + "returns early on the unchanged mapping, so its PTE is never marked wired; the page's wire "
                + "count is uvm's (uvm_pagewire in the fault, uvm_pageunwire in uvm_fault_unwire_locked for "
                + "every page pmap_extract finds, whatever its PTE's wired bit) and goes back to 0 at exit",
            (
                "p0 writes the first of two pages",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +2 rw- private
                write cpu0 0x10000000
                """
            ),
            ("mlock: a wire fault for each page, the first over its existing translation", "mlock p0 0x10000000 +2"),
            ("exit", "exit p0")
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "FixedMmapOverItself",
            "regress/sys/uvm/mmap_fixed's intent: MAP_FIXED again and again over one region replaces the "
                + "entry each time (uvm_map with UVM_FLAG_UNMAP), frees the pages under it and keeps the "
                + "map's size at the region's",
            (
                "a PROT_NONE reservation of four pages wherever it fits, then MAP_FIXED rw- over all of it; two pages written",
                """
                mmap p0 any +4 --- private
                mmap p0 0x1000 +4 rw- private
                switch cpu0 p0
                write cpu0 0x1000
                write cpu0 0x4000
                """
            ),
            (
                "the same MAP_FIXED three more times, a page written between: each frees what the last one faulted",
                """
                mmap p0 0x1000 +4 rw- private
                write cpu0 0x2000
                mmap p0 0x1000 +4 rw- private
                mmap p0 0x1000 +4 rw- private
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "FixedMmapAcrossMappings",
            "MAP_FIXED over the boundary of two mappings, one page of them wired: both are clipped, the "
                + "wired page is unwired before pmap_remove, the pages under the new entry are freed and the "
                + "rest stay mapped",
            (
                "a private and a shared mapping side by side; the last private page is mlocked (faulted in "
                    + "wired), three more pages written",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +4 rw- private
                mmap p0 0x10004000 +4 rw- shared
                mlock p0 0x10003000 +1
                write cpu0 0x10002000
                write cpu0 0x10004000
                write cpu0 0x10005000
                """
            ),
            ("a read-only MAP_FIXED over [0x10003000, 0x10005000)", "mmap p0 0x10003000 +2 r-- private"),
            (
                "a read in the new entry faults a zero page; a write there is refused",
                """
                read cpu0 0x10003000
                write cpu0 0x10004000
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "MmapAnywhereAroundFixed",
            "regress/sys/uvm/mmap_hint's intent: a mapping placed without MAP_FIXED never lands on a live one. "
                + "The kernel randomises placement; this model takes the first fit from the bottom, so the "
                + "addresses are the model's, the never-overlapping is the kernel's",
            (
                "two pages at the bottom of the map and one more after a one-page gap, the first written",
                """
                switch cpu0 p0
                mmap p0 0x1000 +2 rw- private
                mmap p0 0x4000 +1 rw- private
                write cpu0 0x1000
                """
            ),
            (
                "one page anywhere fills the gap; two pages anywhere go past the last mapping",
                """
                mmap p0 any +1 rw- private
                mmap p0 any +2 rw- private
                """
            ),
            (
                "after an munmap of the written page, one page anywhere takes its place, zero-filled anew",
                """
                munmap p0 0x1000 +1
                mmap p0 any +1 rw- private
                read cpu0 0x1000
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "SizeLimits",
            "regress/sys/uvm/mmap_size's intent: a 4 GiB private mapping written at its first, middle and "
                + "last page and unmapped whole; ranges that would run past the top of the address space are "
                + "EINVAL and change nothing",
            (
                "4 GiB anywhere; each write's fault clips out its 64 KiB chunk (amap_copy with canchunk)",
                """
                mmap p0 any +1048576 rw- private
                switch cpu0 p0
                write cpu0 0x1000
                write cpu0 0x80001000
                write cpu0 0x100000000
                """
            ),
            ("munmap of the whole 4 GiB: the chunks and the three pages go", "munmap p0 0x1000 +1048576"),
            (
                "ranges whose end would pass the top of the map",
                """
                mmap p0 0xfffffffffffe0000 +32 rw- private
                munmap p0 0xfffffffffffff000 +2
                mprotect p0 0xfffffffffffff000 +2 r--
                mlock p0 0xfffffffffffff000 +2
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "HighAddresses",
            "regress/sys/uvm/mmap_4g's intent: pages either side of the 4 GiB boundary and the last user page "
                + "of arm64 (VM_MAXUSER_ADDRESS, 512 GiB less 32 KiB) are their own pages, never a wrap to the "
                + "bottom of the map",
            (
                "a page at the bottom, four pages across 4 GiB, two ending at arm64's VM_MAXUSER_ADDRESS, each written once",
                """
                switch cpu0 p0
                mmap p0 0x1000 +1 rw- private
                mmap p0 0xffffe000 +4 rw- private
                mmap p0 0x7fffff6000 +2 rw- private
                write cpu0 0x1000
                write cpu0 0xfffff000
                write cpu0 0x100000000
                write cpu0 0x7fffff7000
                read cpu0 0x1000
                """
            ),
            ("munmap of the mapping across 4 GiB: its two pages freed, the others kept", "munmap p0 0xffffe000 +4")
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "ForkThenCopyOnWrite",
            "fork of a written private mapping (uvm_mapent_forkcopy): parent and child share its amap, both "
                + "entries needs-copy and copy-on-write, the parent's PTEs made read-only. Each first write "
                + "runs amap_copy (a new amap while the old one is shared; with one reference left it only "
                + "clears needs-copy), then uvm_fault_upper promotes an anon referenced twice to a new anon "
                + "and page, or reuses one referenced once and maps it writable again",
            (
                "p0 maps two private pages and writes both: anons 1 and 2",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +2 rw- private
                write cpu0 0x10000000
                write cpu0 0x10001000
                """
            ),
            (
                "p1 exits and p0 forks into its slot: amap 1 has two references, both entries cow,nc; the "
                    + "parent's pages read-only, the child's pmap empty",
                """
                exit p1
                fork p0 p1
                """
            ),
            (
                "the child writes the first page: amap_copy gives it amap 2 (anon 2 now in both amaps, refs 2); "
                    + "anon 1, referenced twice, is promoted to anon 3 on a new page",
                """
                switch cpu1 p1
                write cpu1 0x10000000
                """
            ),
            (
                "the parent writes the first page: amap 1 has one reference left, so needs-copy is only "
                    + "cleared, and anon 1, referenced once now, is reused: no page allocated",
                "write cpu0 0x10000000"
            ),
            (
                "the parent writes the second page: anon 2, in both amaps, is promoted to anon 4; the child's "
                    + "write then reuses anon 2, its own alone",
                """
                write cpu0 0x10001000
                write cpu1 0x10001000
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "PrometheusLoop",
            "seed 000's workload (prometheus's daemon did munmap and mmap around every write): a file "
                + "mapped MAP_SHARED, written and unmapped, four times. A shared writable mapping makes the "
                + "vnode non-persistent (uvm_mmapfile's uvm_vnp_uncache), so each munmap drops the last "
                + "reference and uvn_detach runs uvn_flush(PGO_CLEANIT|PGO_FREE|PGO_ALLPAGES): dirty pages "
                + "written to the file, every resident page freed; the next cycle faults it back from the file",
            (
                "cycle 1: the first page written; the flush writes it to block 0 and frees it",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +2 rw- file 1 0x0 shared
                write cpu0 0x10000000
                munmap p0 0x10000000 +2
                """
            ),
            (
                "cycle 2: the write faults block 0 back in; the flush writes it and frees it again",
                """
                mmap p0 0x10000000 +2 rw- file 1 0x0 shared
                write cpu0 0x10000000
                munmap p0 0x10000000 +2
                """
            ),
            (
                "cycle 3: both pages written; the flush writes both and frees both",
                """
                mmap p0 0x10000000 +2 rw- file 1 0x0 shared
                write cpu0 0x10000000
                write cpu0 0x10001000
                munmap p0 0x10000000 +2
                """
            ),
            (
                "cycle 4: the second page only read; the flush frees it clean, its block keeps cycle 3's data",
                """
                mmap p0 0x10000000 +2 rw- file 1 0x0 shared
                read cpu0 0x10001000
                munmap p0 0x10000000 +2
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "SharedFileMsyncWhileDaemonCleans",
            "two processes write a file through MAP_SHARED mappings (one page per file offset, whoever maps "
                + "it). The page daemon's pageout of a dirty inactive page (uvmpd_scan_inactive, "
                + "VM_PAGER_PEND) writes it and leaves it busy. msync, even MS_ASYNC (sys_msync forces "
                + "PGO_SYNCIO), runs uvn_flush with PGO_CLEANIT|PGO_SYNCIO: it skips the busy page but waits "
                + "for its I/O (need_iosync) and writes the other dirty page; MS_INVALIDATE adds PGO_FREE, "
                + "which waits for a busy page and frees it once its I/O is done",
            (
                "p0 and p1 map file 2 shared; p0 writes the first file page, p1 the second and the first: two "
                    + "pages, the first mapped in both pmaps",
                """
                switch cpu0 p0
                switch cpu1 p1
                mmap p0 0x10000000 +2 rw- file 2 0x0 shared
                mmap p1 0x20000000 +2 rw- file 2 0x0 shared
                write cpu0 0x10000000
                write cpu1 0x20001000
                write cpu1 0x20000000
                """
            ),
            (
                "the daemon deactivates the first page (its mappings go) and starts its pageout: block 0 "
                    + "written, the page busy under the I/O, so it cannot be freed yet",
                """
                pagedaemon page 0 deactivate
                pagedaemon page 0 pageout
                pagedaemon page 0 free
                """
            ),
            (
                "p0's MS_ASYNC msync of both pages waits for the first page's I/O and writes the second (left "
                    + "mapped read-only); the daemon can then free the first",
                """
                msync p0 0x10000000 +2 async
                pagedaemon page 0 free
                """
            ),
            (
                "p1 writes the second page again; the daemon deactivates it and starts its pageout; p0's "
                    + "MS_INVALIDATE msync waits for that I/O and frees the page, so the daemon finds none there",
                """
                write cpu1 0x20001000
                pagedaemon page 1 deactivate
                pagedaemon page 1 pageout
                msync p0 0x10000000 +2 invalidate
                pagedaemon page 1 free
                """
            ),
            ("p0 reads the first page: faulted back in from block 0", "read cpu0 0x10000000")
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "FlushAsleepPageReused",
            "uvn_flush with PGO_FREE sleeps on a page under pageout (uvm_pagewait, \"uvn_flsh\"). When the I/O "
                + "completes the page is unbusied and the flush woken, but before it runs again the page daemon "
                + "frees the now clean page and another process's fault takes it for another offset of the "
                + "file. The flush looks at the offset it slept on again, not at the page's new one: the "
                + "per-offset loop keeps curoff, the range iterator restarts from the offset saved before the "
                + "sleep (hazard 3: reading pg->offset after the wait would restart at 0x2000 and skip 0x1000)",
            (
                "p0 writes the first two pages of file 1 through a shared mapping of four; p1 maps the same "
                    + "four pages and runs on cpu1",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +4 rw- file 1 0x0 shared
                write cpu0 0x10000000
                write cpu0 0x10001000
                mmap p1 0x10000000 +4 rw- file 1 0x0 shared
                switch cpu1 p1
                """
            ),
            (
                "the page daemon deactivates page 0 (offset 0) and starts its pageout: block 0 written, the "
                    + "page busy under the I/O",
                """
                pagedaemon page 0 deactivate
                pagedaemon page 0 pageout
                """
            ),
            (
                "p0's MS_INVALIDATE msync sleeps on page 0; meanwhile the daemon frees it and p1's read takes "
                    + "it for offset 0x2000. The flush finds offset 0 empty, writes and frees 0x1000, and frees "
                    + "0x2000 with p1's mapping of it",
                "msync p0 0x10000000 +4 invalidate while pagedaemon page 0 free then read cpu1 0x10002000"
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "KernelMemoryPagedOutThenFreed",
            "pageable kernel memory's life (uvm_km.c km_alloc/km_free with kp_pageable): a two-page buffer "
                + "on kernel_object, one page paged out to swap by the page daemon and read back, then km_free, "
                + "whose uvm_km_pgremove frees the pages and drops the slot (swpginuse and swpgonly back to 0)",
            (
                "km_alloc of two pages at kernel_map's first fit; a copyin into each faults it in (uao_get zero-fills)",
                """
                kmalloc +2
                kwrite 0xffff800000000000
                kwrite 0xffff800000001000
                """
            ),
            (
                "the page daemon pages the first out: deactivated, written to a swap slot, freed; the slot its only copy",
                """
                pagedaemon page 0 deactivate
                pagedaemon page 0 clean
                pagedaemon page 0 free
                """
            ),
            (
                "a copyout reads it back from swap: CLEAN, the slot kept, no longer the only copy",
                "kread 0xffff800000000000"
            ),
            (
                "the daemon deactivates it and frees it without writing it again (clean); the second page's "
                    + "asynchronous pageout is in flight when km_free's uvm_km_pgremove reaches it and waits",
                """
                pagedaemon page 0 deactivate
                pagedaemon page 0 free
                pagedaemon page 1 deactivate
                pagedaemon page 1 pageout
                kfree 0xffff800000000000 +2
                """
            )
        ),
        Scenarios.Define(
            KernelOpParser.Parse,
            "AnonPagedOutThenUnmapped",
            "anonymous memory in swap (uvm_pdaemon.c, uvm_fault.c uvmfault_anonget, uvm_anon.c uvm_anfree): a "
                + "written private page paged out by the page daemon, its mapping gone, the anon keeping its "
                + "slot; a fault reads it back in, clean, the slot kept; munmap frees page and slot",
            (
                "p0 maps two private pages and writes both: anons 1 and 2 on pages 0 and 1, dirty, active",
                """
                switch cpu0 p0
                mmap p0 0x10000000 +2 rw- private
                write cpu0 0x10000000
                write cpu0 0x10001000
                """
            ),
            (
                "the page daemon pages the first out: swap slot 1 for anon 1, the page freed, its mapping gone",
                "pagedaemon page 0 pageout"
            ),
            (
                "a read faults it back in (uvmfault_anonget): page 0 again, PG_CLEAN, at the active queue's tail; the slot stays",
                "read cpu0 0x10000000"
            ),
            ("munmap: uvm_anfree frees both pages and anon 1's slot (swpginuse back to 0)", "munmap p0 0x10000000 +2")
        ),
    ];

    /// <summary>The two suites: the scenarios on each architecture's kernels.</summary>
    public static IReadOnlyList<SnapshotSuite> Suites =>
        [
            SnapshotSuite.OnReference("kernel-amd64", KernelLayer.Instance, All, side => Pair(side).Amd64),
            SnapshotSuite.OnReference("kernel-arm64", KernelLayer.Instance, All, side => Pair(side).Arm64),
        ];

    private static ArchPairSide<KernelOp> Pair(ISide<KernelOp> side) =>
        side as ArchPairSide<KernelOp>
        ?? throw new InvalidOperationException($"kernel side {side.Name} is not an amd64|arm64 pair");
}
