using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// Flushes asleep while the other CPU runs, derived by hand from OpenBSD's uvm_vnode.c (uvn_flush: a busy
/// page under PGO_FREE is waited for with PG_WANTED and tsleep "uvn_flsh", then the same offset is looked up
/// again; a busy page under PGO_CLEANIT|PGO_SYNCIO sets need_iosync, and the flush ends sleeping "uvn_flush"
/// on u_nio; uvn_detach flushes with PGO_CLEANIT|PGO_FREE|PGO_ALLPAGES), uvm_pager.c (uvm_aio_aiodone
/// unbusies and wakes), uvm_pdaemon.c (a clean inactive page freed) and uvm_page.c (uvm_pagealloc
/// hands out the page just freed). The other CPU's ops run after the I/O slept on completes, before the
/// flush runs again.
/// </summary>
public static class KernelSleepCases
{
    private const Arch A = Arch.Amd64;

    private static KernelCase Case(string name, string source, string[] steps, params string[] observed) =>
        new(name, A, source, steps, observed);

    /// <summary>p0 maps pages of file 1 shared and writes the first two (pages 0 and 1).</summary>
    private static string[] TwoDirty(int pages) =>
        [
            "switch cpu0 p0 => Ok",
            $"mmap p0 0x10000000 +{pages} rw- file 1 0x0 shared => Ok",
            "write cpu0 0x10000000 => Ok(page 0)",
            "write cpu0 0x10001000 => Ok(page 1)",
        ];

    /// <summary>The page daemon deactivates page 0 and starts its pageout: it stays busy until waited for.</summary>
    private static readonly string[] PageoutOfPage0 =
    [
        "pagedaemon page 0 deactivate => Ok",
        "pagedaemon page 0 pageout => Ok",
    ];

    public static readonly KernelCase[] All =
    [
        Case(
            "the pageout a flush sleeps on starts only on a dirty inactive page that is not already under I/O",
            "uvmpd_scan_inactive: only the inactive queue is scanned, PG_BUSY pages are skipped, a clean page "
                + "is freed rather than written; uvn_flush(CLEANIT|SYNCIO) waits for the pageout in flight",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "pagedaemon page 0 pageout => EINVAL",
                .. PageoutOfPage0,
                "pagedaemon page 0 pageout => EBUSY",
                "msync p0 0x10000000 +1 sync => Ok",
                "pagedaemon page 0 pageout => EALREADY",
            ],
            "file 1 block 0: data 1",
            "file 1 @0x0: page 0 clean inactive data 1"
        ),
        Case(
            "MS_INVALIDATE sleeps on the page under pageout, which is freed and handed to another offset; the flush looks at the same offset again",
            "uvn_flush(CLEANIT|SYNCIO|FREE): offset 0 busy → PG_WANTED, tsleep(\"uvn_flsh\"), curoff -= PAGE_SIZE; "
                + "meanwhile aiodone, uvmpd frees the clean inactive page, p1's fault gets it for offset 0x2000; "
                + "then offset 0 is empty, 0x1000 is written and freed, 0x2000 is clean and freed with its mapping",
            [
                .. TwoDirty(4),
                "mmap p1 0x10000000 +4 rw- file 1 0x0 shared => Ok",
                "switch cpu1 p1 => Ok",
                .. PageoutOfPage0,
                "msync p0 0x10000000 +4 invalidate while pagedaemon page 0 free then read cpu1 0x10002000 => "
                    + "Ok after sleeps [uvn_flsh on file 1 @0x0 while pagedaemon page 0 free => Ok; "
                    + "read cpu1 0x10002000 => Ok(page 0)]",
            ],
            "file 1 block 0: data 1",
            "file 1 block 1: data 2",
            "!file 1 @",
            "!pmap 1 va",
            "counters: 3 faults, 3 pages allocated, 3 freed"
        ),
        Case(
            "MS_SYNC with a page under pageout ends asleep on the object's I/O; another process's store meanwhile stays",
            "uvn_flush(CLEANIT|SYNCIO): offset 0 busy → need_iosync; 0x1000 written, PG_CLEAN, pmap_clear_modify, "
                + "read-only; then tsleep(\"uvn_flush\") while u_nio != 0: aiodone, then p1's write fault maps the "
                + "page and activates it; u_nio is 0 and the flush returns",
            [
                .. TwoDirty(2),
                "mmap p1 0x10000000 +2 rw- file 1 0x0 shared => Ok",
                "switch cpu1 p1 => Ok",
                .. PageoutOfPage0,
                "msync p0 0x10000000 +2 sync while write cpu1 0x10000000 => "
                    + "Ok after sleeps [uvn_flush on file 1 @0x0 while write cpu1 0x10000000 => Ok(page 0)]",
            ],
            "file 1 block 0: data 1",
            "file 1 block 1: data 2",
            "file 1 @0x0: page 0 clean active data 3",
            "file 1 @0x1000: page 1 clean active data 2",
            "active queue 0: page 1",
            "active queue 1: page 0",
            "pmap 0 va 0x000010001000: page 1 r__",
            "!pmap 0 va 0x000010000000",
            "pmap 1 va 0x000010000000: page 0 rw_"
        ),
        Case(
            "munmap's uvn_detach flush sleeps; another process exits and its own last reference flushes another file",
            "uvn_detach → uvn_flush(CLEANIT|FREE|ALLPAGES) on file 1: offset 0 busy → tsleep(\"uvn_flsh\"); "
                + "p1's exit: uvm_unmap_detach → uvn_detach of file 2, its dirty page written and freed; "
                + "file 1's flush looks again: page 0 clean (the pageout wrote it), freed",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +2 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "switch cpu1 p1 => Ok",
                "mmap p1 0x10000000 +1 rw- file 2 0x0 shared => Ok",
                "write cpu1 0x10000000 => Ok(page 1)",
                .. PageoutOfPage0,
                "munmap p0 0x10000000 +2 while exit p1 => Ok after sleeps [uvn_flsh on file 1 @0x0 while exit p1 => Ok]",
                "mmap p0 0x10000000 +1 rw- file 2 0x0 shared => Ok",
            ],
            "file 1 block 0: data 1",
            "file 2 block 0: data 2",
            "!file 1 @",
            "!file 2 @",
            "p1 dead",
            "p0 obj 2 refs 2",
            "counters: 2 faults, 2 pages allocated, 2 freed"
        ),
        Case(
            "exit's uvn_detach flush sleeps; the page is freed and another process's fault takes it for another file",
            "uvn_detach → uvn_flush(CLEANIT|FREE|ALLPAGES): offset 0 busy → tsleep(\"uvn_flsh\"); aiodone, uvmpd "
                + "frees the page, p1's read fault of file 2 gets it; file 1 offset 0 is empty, 0x1000 written, freed",
            [
                .. TwoDirty(2),
                "mmap p1 0x10000000 +1 rw- file 2 0x0 shared => Ok",
                "switch cpu1 p1 => Ok",
                .. PageoutOfPage0,
                "exit p0 while pagedaemon page 0 free then read cpu1 0x10000000 => "
                    + "Ok after sleeps [uvn_flsh on file 1 @0x0 while pagedaemon page 0 free => Ok; "
                    + "read cpu1 0x10000000 => Ok(page 0)]",
            ],
            "p0 dead",
            "file 1 block 0: data 1",
            "file 1 block 1: data 2",
            "!file 1 @",
            "file 2 @0x0: page 0 clean active data 0",
            "pmap 1 va 0x000010000000: page 0 rw_",
            "counters: 3 faults, 3 pages allocated, 2 freed"
        ),
        Case(
            "the sleeping process's own thread cannot run meanwhile: its access and a switch to it are refused",
            "uvn_flush(CLEANIT|SYNCIO|FREE) asleep in p0's msync; p0 has one thread, the sleeper",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                .. PageoutOfPage0,
                "msync p0 0x10000000 +1 invalidate while read cpu0 0x10000000 then switch cpu1 p0 => "
                    + "Ok after sleeps [uvn_flsh on file 1 @0x0 while read cpu0 0x10000000 => EDEADLK; "
                    + "switch cpu1 p0 => EDEADLK]",
            ],
            "!file 1 @",
            "file 1 block 0: data 1",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "a flush that meets no busy page never sleeps: the other CPU's ops do not run",
            "uvn_flush(CLEANIT|SYNCIO|FREE): the dirty page is written (the flush's own I/O) and freed; no "
                + "uvm_pagewait, and need_iosync stays false",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "mmap p1 0x10000000 +1 rw- file 1 0x0 shared => Ok",
                "switch cpu1 p1 => Ok",
                "msync p0 0x10000000 +1 invalidate while read cpu1 0x10000000 => Ok",
            ],
            "!pmap 1 va",
            "!file 1 @",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
    ];
}
