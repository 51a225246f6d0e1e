using static UvmDiff.Properties.Conformance.Kernel.KernelCases;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// madvise(MADV_DONTNEED), derived by hand from uvm_mmap.c 1.203 (sys_madvise: PGO_DEACTIVATE),
/// uvm_map.c 1.346 (uvm_map_clean: uvm_map_entrybyaddr, the first pass for holes and gaps, the amap
/// pass skipping wired pages) and uvm_page.c (uvm_pagedeactivate: pmap_page_protect(PROT_NONE), then
/// pmap_clear_reference). Pages are handed out lowest first; anon ids count up per map from 1.
/// </summary>
public static class MadviseCases
{
    public static readonly KernelCase[] All =
    [
        Case(
            "madvise DONTNEED: a resident page loses its translation and its reference, keeps its anon and M",
            A,
            "uvm_map_clean PGO_DEACTIVATE: uvm_pagedeactivate → pmap_page_protect(NONE) syncs U/M, pmap_clear_reference",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +2 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "madvise p0 0x10000000 +2 dontneed => Ok",
            ],
            "!pmap 0 va 0x000010000000",
            "!page 0 pv",
            "page 0: unref mod wire 0",
            "page 0 backs anon 1",
            "counters: 1 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "after DONTNEED the next read faults back onto the same page (the anon kept it)",
            A,
            "uvm_fault_upper: the anon's page is resident, pmap_enter(entry protection, access READ)",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "madvise p0 0x10000000 +1 dontneed => Ok",
                "read cpu0 0x10000000 => Ok(page 0)",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "page 0: ref mod wire 0",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "arm64: DONTNEED removes the translation and the reference the same way",
            M,
            "uvm_pagedeactivate: pmap_page_protect(NONE), pmap_clear_reference",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "madvise p0 0x10000000 +1 dontneed => Ok",
            ],
            "!pmap 0 va 0x000010000000",
            "page 0: unref",
            "page 0 backs anon 1"
        ),
        Case(
            "a wired page is skipped: its translation and reference stay",
            A,
            "uvm_map_clean deactivate_it: pg->wire_count != 0 => break",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mlock p0 0x10000000 +1 => Ok",
                "madvise p0 0x10000000 +1 dontneed => Ok",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_ wired",
            "page 0: unref clean wire 1"
        ),
        Case(
            "clipped entries share one amap: the page in the upper half is found through its entry's pageoff",
            A,
            "amap_lookup(&entry->aref, va - entry->start) reads slot pageoff + index; pmap_page_protect removes every mapping",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +4 rw- private => Ok",
                "write cpu0 0x10003000 => Ok(page 0)",
                "mprotect p0 0x10000000 +2 r-- => Ok",
                "madvise p0 0x10003000 +1 dontneed => Ok",
            ],
            "!pmap 0 va 0x000010003000",
            "page 0: unref mod wire 0"
        ),
        Case(
            "the range runs past its entry into free space: EFAULT, nothing deactivated",
            A,
            "uvm_map_clean first pass: entry->end < end && VMMAP_FREE_END(entry) != entry->end => EFAULT",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "madvise p0 0x10000000 +2 dontneed => EFAULT",
            ],
            "pmap 0 va 0x000010000000: page 0 rw_",
            "page 0: ref mod wire 0"
        ),
        Case(
            "the range starts in the free space after an entry: EFAULT",
            A,
            "uvm_map_entrybyaddr returns the entry owning the free space, which ends before the range does",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mmap p0 0x10004000 +1 rw- private => Ok",
                "madvise p0 0x10002000 +1 dontneed => EFAULT",
            ]
        ),
        Case(
            "a range starting in the free space below the first entry: EFAULT, nothing done",
            A,
            "uvm_map_clean: uvm_map_entrybyaddr(start) is the map's leading free entry (start = end = min_offset, "
                + "made by uvm_map_fix_space at setup); its end < end and its free end != its end => EFAULT",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10002000 +1 rw- private => Ok",
                "write cpu0 0x10002000 => Ok(page 0)",
                "madvise p0 0x10000000 +4 dontneed => EFAULT",
            ],
            "pmap 0 va 0x000010002000: page 0 rw_",
            "page 0: ref mod wire 0"
        ),
        Case(
            "below the map's minimum: EINVAL",
            A,
            "uvm_map_clean: start < map->min_offset => EINVAL",
            ["madvise p0 0x0 +1 dontneed => EINVAL"]
        ),
        Case(
            "a dead process: ESRCH",
            A,
            "the process is gone: no vmspace to advise",
            ["exit p0 => Ok", "madvise p0 0x10000000 +1 dontneed => ESRCH"]
        ),
    ];
}
