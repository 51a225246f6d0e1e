using static UvmDiff.Properties.Conformance.Kernel.KernelCases;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The race op's sequential meaning on the reference: the side the schedule names first runs first,
/// side a when the schedule is empty, each side's own path (uvm_unmap_remove and amap_wiperange's
/// uvm_anfree for a munmap; uvm_fault for a read; uvm_fault_wire for mlock; uvmspace_free for an exit),
/// and the result is both sides' results. Derived by hand from the same sources as the single ops.
/// </summary>
public static class KernelRaceCases
{
    public static readonly KernelCase[] All =
    [
        Case(
            "a munmap first (schedule starts with a): the read on CPU 1 then finds no entry",
            A,
            "uvm_unmap_remove frees the anon (an_ref 0: uvm_anfree); uvm_fault: uvm_map_lookup_entry fails → EFAULT",
            [
                "switch cpu1 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu1 0x10000000 => Ok(page 0)",
                "race [munmap p0 0x10000000 +1] [read cpu1 0x10000000] ab => Ok(a: Ok, b: EFAULT)",
            ],
            "!page 0 backs",
            "counters: 2 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "the read first (schedule starts with b): it hits the translation, then the munmap frees the page",
            A,
            "the MMU finds the translation (no fault); uvm_unmap_remove: pmap_remove, uvm_anfree",
            [
                "switch cpu1 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu1 0x10000000 => Ok(page 0)",
                "race [munmap p0 0x10000000 +1] [read cpu1 0x10000000] ba => Ok(a: Ok, b: Ok(page 0))",
            ],
            "!page 0 backs",
            "!pmap 0 va 0x000010000000",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "no schedule: side a first; an exit on CPU 0 before mlock leaves mlock nothing to wire",
            M,
            "exit1 → uvmspace_free (uvm_anfree_list of every anon); sys_mlock of a dead process",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "race [exit p0] [mlock p0 0x10000000 +1] - => Ok(a: Ok, b: ESRCH)",
            ],
            "p0 dead",
            "!page 0 backs",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
        Case(
            "mlock first (schedule starts with b), then the exit unwires and frees the page",
            M,
            "uvm_map_pageable → uvm_fault_wire (the resident page wired); exit: pmap teardown unwires, uvm_anfree_list",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "write cpu0 0x10000000 => Ok(page 0)",
                "race [exit p0] [mlock p0 0x10000000 +1] bbba => Ok(a: Ok, b: Ok)",
            ],
            "p0 dead",
            "!page 0 backs",
            "!page 0 pv",
            "counters: 1 faults, 1 pages allocated, 1 freed"
        ),
    ];
}
