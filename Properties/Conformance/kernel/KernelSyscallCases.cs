using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Kernel;

/// <summary>
/// The system calls' own argument checks and error mapping, derived by hand from uvm_mmap.c 1.203
/// (sys_mmap, sys_munmap, sys_mlock, sys_munlock, sys_msync), uvm_map.c 1.346 (uvm_map_clean) and the
/// architectures' vmparam.h: VM_MIN_ADDRESS is PAGE_SIZE on both, VM_MAXUSER_ADDRESS is 0x00007f7fffffc000
/// on amd64 and (1 &lt;&lt; 39) - 0x8000 = 0x7fffff8000 on arm64.
/// </summary>
public static class KernelSyscallCases
{
    private const Arch A = Arch.Amd64,
        M = Arch.Arm64;

    private static KernelCase Case(string name, Arch arch, string source, string[] steps, params string[] observed) =>
        new(name, arch, source, steps, observed);

    public static readonly KernelCase[] All =
    [
        Case(
            "mlock of a range no entry holds: uvm_map_pageable's EFAULT reaches the process as ENOMEM",
            A,
            "sys_mlock: error = uvm_map_pageable(...); return (error == 0 ? 0 : ENOMEM)",
            ["mlock p0 0x10000000 +1 => ENOMEM"],
            "!pmap 0 va"
        ),
        Case(
            "munlock of a range with a gap: uvm_map_pageable's EINVAL reaches the process as ENOMEM",
            A,
            "sys_munlock: error = uvm_map_pageable(..., TRUE, 0); return (error == 0 ? 0 : ENOMEM)",
            ["mmap p0 0x10000000 +1 rw- private => Ok", "munlock p0 0x10000000 +2 => ENOMEM"],
            "p0 0x10000000-0x10001000 rw-/rwx copy normal wired 0"
        ),
        Case(
            "fixed mmap ending one page past VM_MAXUSER_ADDRESS on amd64: EINVAL, nothing mapped",
            A,
            "sys_mmap, MAP_FIXED: (addr + size) > VM_MAXUSER_ADDRESS => EINVAL",
            ["mmap p0 0x7f7fffffb000 +2 rw- private => EINVAL", "mmap p0 0x7f7fffffb000 +1 rw- private => Ok"],
            "p0 0x7f7fffffb000-0x7f7fffffc000 rw-/rwx copy"
        ),
        Case(
            "fixed mmap ending one page past VM_MAXUSER_ADDRESS on arm64: EINVAL; the last page below it maps",
            M,
            "sys_mmap, MAP_FIXED: (addr + size) > VM_MAXUSER_ADDRESS (0x7fffff8000) => EINVAL",
            ["mmap p0 0x7fffff7000 +2 rw- private => EINVAL", "mmap p0 0x7fffff7000 +1 rw- private => Ok"],
            "p0 0x7fffff7000-0x7fffff8000 rw-/rwx copy"
        ),
        Case(
            "munmap below VM_MIN_ADDRESS and past VM_MAXUSER_ADDRESS: EINVAL before the map is looked at",
            A,
            "sys_munmap: addr < vm_min_address => EINVAL; addr + size > VM_MAXUSER_ADDRESS => EINVAL",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "munmap p0 0x0 +1 => EINVAL",
                "munmap p0 0x7f7fffffc000 +1 => EINVAL",
            ],
            "p0 0x10000000-0x10001000 rw-/rwx copy"
        ),
        Case(
            "msync past VM_MAXUSER_ADDRESS: uvm_map_clean's range check is EINVAL",
            A,
            "uvm_map_clean: end > map->max_offset (VM_MAXUSER_ADDRESS for a vmspace) => EINVAL",
            ["msync p0 0x7f7fffffb000 +2 sync => EINVAL"]
        ),
        Case(
            "MAP_STACK without PROT_READ|PROT_WRITE: EINVAL, fixed or not",
            A,
            "sys_mmap: MAP_STACK and (prot & (PROT_READ|PROT_WRITE)) != (PROT_READ|PROT_WRITE) => EINVAL",
            ["mmap p0 0x10000000 +1 r-- stack => EINVAL", "mmap p0 any +1 rw- stack => Ok(0x1000)"],
            "!p0 0x10000000"
        ),
        Case(
            "a large MAP_STACK mapping is never chunked: its first fault gives the whole entry one amap",
            A,
            "uvm_fault_check: amap_copy(..., canchunk = !UVM_ET_ISSTACK(entry), ...) for a NEEDSCOPY entry; "
                + "300 pages >= UVM_AMAP_LARGE, but a STACK entry is neither clipped nor chunked",
            ["mmap p0 0x20000000 +300 rw- stack => Ok", "switch cpu0 p0 => Ok", "read cpu0 0x20034000 => Ok(page 0)"],
            "p0 0x20000000-0x2012c000 rw-/rwx copy",
            "p0 amap 1 slots 300",
            "pmap 0 va 0x000020034000: page 0 rw_"
        ),
        Case(
            "an instruction fetch: EACCES from an entry without PROT_EXEC; from r-x a zero-filled page entered r-x",
            A,
            "uvm_fault_check: (entry->protection & access_type) != access_type => EACCES; a PROT_EXEC fault is no "
                + "write, so no copy on write; pmap_enter(prot r-x): PG_u without PG_RW or PG_NX; the fetch sets PG_U",
            [
                "switch cpu0 p0 => Ok",
                "mmap p0 0x10000000 +1 r-- private => Ok",
                "mmap p0 0x10001000 +1 r-x private => Ok",
                "exec cpu0 0x10000000 => EACCES",
                "exec cpu0 0x10001000 => Ok(page 0)",
            ],
            "!pmap 0 va 0x000010000000",
            "pmap 0 va 0x000010001000: page 0 r_x",
            "page 0: ref clean wire 0",
            "counters: 2 faults, 1 pages allocated, 0 freed"
        ),
        Case(
            "arm64: an instruction fetch from r-x enters the page executable and seeds its reference",
            M,
            "pmap_enter(prot r-x, access PROT_EXEC): AP read-only for the user, UXN clear; the access type seeds REF",
            ["switch cpu0 p0 => Ok", "mmap p0 0x10001000 +1 r-x private => Ok", "exec cpu0 0x10001000 => Ok(page 0)"],
            "pmap 0 va 0x000010001000: page 0 r_x",
            "page 0: ref clean wire 0"
        ),
        Case(
            "MAP_STACK without PROT_WRITE at the first fit: EINVAL before any placement",
            A,
            "sys_mmap: the MAP_STACK protection check comes before the address is chosen",
            ["mmap p0 any +1 r-- stack => EINVAL", "mmap p0 any +1 r-- private => Ok(0x1000)"],
            "p0 0x1000-0x2000 r--/rwx copy"
        ),
        Case(
            "a fixed file mapping ending past VM_MAXUSER_ADDRESS: EINVAL, nothing mapped",
            A,
            "sys_mmap, MAP_FIXED: (addr + size) > VM_MAXUSER_ADDRESS => EINVAL before the vnode is looked at",
            ["mmap p0 0x7f7fffffb000 +2 r-- file 1 0x0 shared => EINVAL"],
            "!p0 0x7f7fffffb000"
        ),
        Case(
            "W^X: mmap asking for PROT_WRITE|PROT_EXEC fails with ENOTSUP before its other arguments are checked",
            A,
            "sys_mmap: (prot & (PROT_WRITE|PROT_EXEC)) == (PROT_WRITE|PROT_EXEC) && uvm_wxcheck(p, \"mmap\") "
                + "=> ENOTSUP (not wxneeded, kern.wxabort 0); it precedes the MAP_STACK and VM_MAXUSER_ADDRESS checks",
            [
                "mmap p0 0x10000000 +1 rwx private => ENOTSUP",
                "mmap p0 any +1 -wx private => ENOTSUP",
                "mmap p0 0x7f7fffffb000 +2 rwx stack => ENOTSUP",
                "mmap p0 0x10000000 +1 rwx file 1 0x0 private => ENOTSUP",
                "mmap p0 0x10000000 +1 r-x private => Ok",
            ],
            "p0 0x10000000-0x10001000 r-x/rwx copy"
        ),
        Case(
            "W^X: mprotect to PROT_WRITE|PROT_EXEC fails with ENOTSUP and leaves the entry as it was",
            M,
            "sys_mprotect: (prot & (PROT_WRITE|PROT_EXEC)) == (PROT_WRITE|PROT_EXEC) && uvm_wxcheck(p, \"mprotect\") "
                + "=> ENOTSUP, before uvm_map_protect; write alone and exec alone are allowed",
            [
                "mmap p0 0x10000000 +1 rw- private => Ok",
                "mprotect p0 0x10000000 +1 rwx => ENOTSUP",
                "mprotect p0 0x7f7fffffb000 +2 -wx => ENOTSUP",
                "mprotect p0 0x10000000 +1 r-x => Ok",
            ],
            "p0 0x10000000-0x10001000 r-x/rwx copy"
        ),
    ];
}
