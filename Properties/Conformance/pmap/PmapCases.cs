using UvmDiff.Spec.Pmap;

namespace UvmDiff.Properties.Conformance.Pmap;

/// <summary>
/// The cases, derived by hand from amd64 pmap.c 1.182 / pmap.h 1.94 / pte.h 1.18 and arm64 pmap.c
/// 1.113 / pte.h 1.10, as uvm-semantics.md sections 5-9 summarise them. Addresses: 0x3fc000 and
/// 0x3fd000 share a PTP; 0x1000000000 is in another 512 GiB-aligned entry.
/// </summary>
public static class PmapCases
{
    private const Arch A = Arch.Amd64,
        M = Arch.Arm64;

    /// <summary>The name prefixes of the cases that pin a profile row each.</summary>
    public static readonly string[] ProfileRows =
    [
        "Grants",
        "ProtectStripsWrite",
        "ProtectWriteOnlyRemoves",
        "FailedEnterRemovesOld",
        "SameEnterKeepsWiring",
        "PageProtectReadKeepsExec",
        "EnterPresetsRefMod",
        "ResidentCountsTables",
    ];

    private static PmapCase Case(string name, Arch arch, string source, string[] steps, params string[] observed) =>
        new(name, arch, source, steps, observed);

    /// <summary>
    /// The same steps and outcome on both architectures, each read off its own pmap_unwire: page 4 is
    /// wired through pmap 0, so unwiring pmap 1's unwired PTE of it is within uvm's contract.
    /// </summary>
    private static PmapCase UnwireOfAnUnwiredPte(Arch arch, string source) =>
        Case(
            "Unwire of an unwired PTE: pmap_unwire changes nothing, uvm_pageunwire still unwires the page",
            arch,
            source,
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 4, prot: rw_, access: ___, wired: true) => Ok",
                "Enter(pmap: 1, va: 0x40000000, page: 4, prot: r__, access: ___) => Ok",
                "Unwire(pmap: 1, va: 0x40000000) => Ok",
                "Unwire(pmap: 1, va: 0x40000000) => EINVAL",
            ],
            "pmap 0 va 0x0000003fc000: page 4 rw_ wired",
            "pmap 0: alive, 1 mapped, 1 wired",
            "pmap 1 va 0x000040000000: page 4 r__",
            "pmap 1: alive, 1 mapped, 0 wired",
            "page 4: unref clean wire 0"
        );

    public static readonly PmapCase[] All =
    [
        Case(
            "Grants: exec-only is readable on amd64",
            A,
            "protection_codes[PROT_EXEC] = PG_RO (no NX, no PKU): a present PTE is readable",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: __x, access: ___) => Ok",
                "Activate(cpu: 0, pmap: 0) => Ok",
                "Access(cpu: 0, va: 0x3fc000, kind: r__) => Ok(page 1)",
                "Access(cpu: 0, va: 0x3fc000, kind: _w_) => Ok(fault)",
            ],
            "pmap 0 va 0x0000003fc000: page 1 r_x"
        ),
        Case(
            "Grants: exec-only is execute-only on arm64",
            M,
            "ap_bits_user[PROT_EXEC] = PXN|AF|AP(2): EL0 may execute, not read",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: __x, access: ___) => Ok",
                "Activate(cpu: 0, pmap: 0) => Ok",
                "Access(cpu: 0, va: 0x3fc000, kind: r__) => Ok(fault)",
                "Access(cpu: 0, va: 0x3fc000, kind: __x) => Ok(page 1)",
            ],
            "pmap 0 va 0x0000003fc000: page 1 __x",
            "page 1: ref clean wire 0"
        ),
        Case(
            "ProtectStripsWrite: amd64 ignores a protect that keeps WRITE",
            A,
            "pmap.h pmap_protect: (prot & PROT_WRITE) != 0 does nothing",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rw_, access: r__) => Ok",
                "Protect(pmap: 0, sva: 0x3fc000, eva: 0x3fd000, prot: rw_) => Ok",
                "Activate(cpu: 1, pmap: 0) => Ok",
                "Access(cpu: 1, va: 0x3fc000, kind: _w_) => Ok(page 0)",
            ],
            "page 0: ref mod wire 0"
        ),
        Case(
            "ProtectStripsWrite: arm64 drops WRITE from the allowed bits",
            M,
            "pmap_page_ro: pted_va &= ~PROT_WRITE, so pmap_fault_fixup cannot restore it",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rw_, access: r__) => Ok",
                "Protect(pmap: 0, sva: 0x3fc000, eva: 0x3fd000, prot: rw_) => Ok",
                "Activate(cpu: 1, pmap: 0) => Ok",
                "Access(cpu: 1, va: 0x3fc000, kind: _w_) => Ok(fault)",
            ],
            "pmap 0 va 0x0000003fc000: page 0 r__",
            "page 0: ref clean wire 0"
        ),
        Case(
            "ProtectWriteOnlyRemoves: amd64 leaves a WRITE-only protect alone",
            A,
            "pmap.h pmap_protect: WRITE in prot returns before the PROT_NONE removal",
            [
                "Enter(pmap: 1, va: 0x3fc000, page: 2, prot: r__, access: ___) => Ok",
                "Protect(pmap: 1, sva: 0x3fc000, eva: 0x3fe000, prot: _w_) => Ok",
                "Extract(pmap: 1, va: 0x3fc000) => Ok(page 2)",
            ],
            "pmap 1: alive, 1 mapped, 0 wired"
        ),
        Case(
            "ProtectWriteOnlyRemoves: arm64 removes without READ or EXEC",
            M,
            "pmap_protect: prot & (PROT_READ|PROT_EXEC) == 0 -> pmap_remove",
            [
                "Enter(pmap: 1, va: 0x3fc000, page: 2, prot: r__, access: ___) => Ok",
                "Protect(pmap: 1, sva: 0x3fc000, eva: 0x3fe000, prot: _w_) => Ok",
                "Extract(pmap: 1, va: 0x3fc000) => Ok(none)",
            ],
            "pmap 1: alive, 0 mapped, 0 wired"
        ),
        Case(
            "FailedEnterRemovesOld: amd64 fails before touching the old mapping",
            A,
            "pmap_enter: pool_get(&pmap_pv_pool, PR_NOWAIT) first; CANFAIL -> ENOMEM",
            [
                "Enter(pmap: 0, va: 0x3fd000, page: 0, prot: r__, access: ___) => Ok",
                "Enter(pmap: 0, va: 0x3fd000, page: 1, prot: r__, access: ___, fail: true) => ENOMEM",
                "Extract(pmap: 0, va: 0x3fd000) => Ok(page 0)",
            ]
        ),
        Case(
            "FailedEnterRemovesOld: arm64 has removed the old mapping when the pted allocation fails",
            M,
            "pmap_enter: pmap_remove_pted(pm, pted) before pool_get(&pmap_pted_pool, PR_NOWAIT)",
            [
                "Enter(pmap: 0, va: 0x3fd000, page: 0, prot: r__, access: ___) => Ok",
                "Enter(pmap: 0, va: 0x3fd000, page: 1, prot: r__, access: ___, fail: true) => ENOMEM",
                "Extract(pmap: 0, va: 0x3fd000) => Ok(none)",
            ],
            "page 0: unref clean wire 0"
        ),
        Case(
            "SameEnterKeepsWiring: amd64 wires an unchanged mapping",
            A,
            "pmap_enter: PG_W in npte; wired_count moves when PG_W changes",
            [
                "Enter(pmap: 2, va: 0x1000000000, page: 5, prot: r__, access: r__) => Ok",
                "Enter(pmap: 2, va: 0x1000000000, page: 5, prot: r__, access: r__, wired: true) => Ok",
                "Unwire(pmap: 2, va: 0x1000000000) => Ok",
            ],
            "page 5: ref clean wire 0"
        ),
        Case(
            "SameEnterKeepsWiring: arm64 returns early and ignores WIRED",
            M,
            "pmap_enter: same PA, prot and cache -> return 0 before pmap_fill_pte; uvm_fault still uvm_pagewire's the page",
            [
                "Enter(pmap: 2, va: 0x1000000000, page: 5, prot: r__, access: r__) => Ok",
                "Enter(pmap: 2, va: 0x1000000000, page: 5, prot: r__, access: r__, wired: true) => Ok",
            ],
            "pmap 2 va 0x001000000000: page 5 r__",
            "page 5: ref clean wire 1",
            "pmap 2: alive, 1 mapped, 0 wired"
        ),
        Case(
            "PageProtectReadKeepsExec: amd64 clears only PG_RW",
            A,
            "pmap_page_protect(READ) -> pmap_clear_attrs(pg, PG_RW)",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 3, prot: rwx, access: ___) => Ok",
                "PageProtect(page: 3, prot: r__) => Ok",
                "Activate(cpu: 0, pmap: 0) => Ok",
                "Access(cpu: 0, va: 0x3fc000, kind: __x) => Ok(page 3)",
                "Access(cpu: 0, va: 0x3fc000, kind: _w_) => Ok(fault)",
            ],
            "pmap 0 va 0x0000003fc000: page 3 r_x"
        ),
        Case(
            "PageProtectReadKeepsExec: arm64 pmap_page_ro also drops EXEC",
            M,
            "pmap_page_protect(READ) -> pmap_page_ro: (prot & PROT_EXEC) == 0 clears EXEC",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 3, prot: rwx, access: ___) => Ok",
                "PageProtect(page: 3, prot: r__) => Ok",
                "Activate(cpu: 0, pmap: 0) => Ok",
                "Access(cpu: 0, va: 0x3fc000, kind: __x) => Ok(fault)",
                "Access(cpu: 0, va: 0x3fc000, kind: r__) => Ok(page 3)",
            ],
            "pmap 0 va 0x0000003fc000: page 3 r__"
        ),
        Case(
            "EnterPresetsRefMod: amd64's write fault leaves U and M to the retried access",
            A,
            "pmap_enter builds npte without PG_U/PG_M; the hardware sets them on the access",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 4, prot: rw_, access: _w_) => Ok",
                "IsModified(page: 4) => Ok(true)",
                "Enter(pmap: 1, va: 0x3fc000, page: 2, prot: rw_, access: ___) => Ok",
                "IsReferenced(page: 2) => Ok(false)",
            ]
        ),
        Case(
            "EnterPresetsRefMod: arm64 sets REF and MOD from the access type",
            M,
            "pmap_enter: (flags & PROT_MASK) sets PG_PMAP_REF; prot and flags both WRITE set PG_PMAP_MOD",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 4, prot: rw_, access: _w_) => Ok",
                "IsModified(page: 4) => Ok(true)",
                "Enter(pmap: 1, va: 0x3fc000, page: 2, prot: rw_, access: ___) => Ok",
                "IsReferenced(page: 2) => Ok(false)",
            ]
        ),
        Case(
            "ResidentCountsTables: amd64 observes mapped pages, not resident_count",
            A,
            "pmap_get_ptp adds PTPs to resident_count (9.2); the MI count is the mapped pages",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: ___) => Ok",
                "Enter(pmap: 0, va: 0x1000000000, page: 1, prot: r__, access: ___) => Ok",
            ],
            "pmap 0: alive, 2 mapped, 0 wired"
        ),
        Case(
            "ResidentCountsTables: arm64 counts mapped pages",
            M,
            "pmap_enter: resident_count++ per pted",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: ___) => Ok",
                "Enter(pmap: 0, va: 0x1000000000, page: 1, prot: r__, access: ___) => Ok",
            ],
            "pmap 0: alive, 2 mapped, 0 wired"
        ),
        Case(
            "Modified survives unmap",
            A,
            "pmap_remove_pte: PG_M synced into the page (pmap_sync_flags_pte) before the PTE goes",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rw_, access: _w_) => Ok",
                "Remove(pmap: 0, sva: 0x3fc000, eva: 0x3fe000) => Ok",
                "IsModified(page: 0) => Ok(true)",
                "ClearModify(page: 0) => Ok",
                "IsModified(page: 0) => Ok(false)",
            ],
            "pmap 0: alive, 0 mapped, 0 wired"
        ),
        Case(
            "PageProtect NONE removes every mapping, wired ones too",
            M,
            "pmap_page_protect(PROT_NONE): pmap_remove_pted per PV entry (unwiring it)",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 3, prot: r__, access: r__, wired: true) => Ok",
                "Enter(pmap: 1, va: 0x40000000, page: 3, prot: r__, access: ___) => Ok",
                "PageProtect(page: 3, prot: ___) => Ok",
                "Extract(pmap: 0, va: 0x3fc000) => Ok(none)",
                "Extract(pmap: 1, va: 0x40000000) => Ok(none)",
                "IsReferenced(page: 3) => Ok(true)",
            ],
            "pmap 0: alive, 0 mapped, 0 wired",
            "page 3: ref clean wire 1"
        ),
        Case(
            "An access with no process on the CPU, and after a switch away",
            A,
            "pmap_deactivate: ci_proc_pmap = NULL; the thread is gone from the CPU",
            [
                "Access(cpu: 1, va: 0x3fc000, kind: r__) => ESRCH",
                "Activate(cpu: 1, pmap: 2) => Ok",
                "Access(cpu: 1, va: 0x3fc000, kind: r__) => Ok(fault)",
                "Deactivate(cpu: 1) => Ok",
                "Deactivate(cpu: 1) => EINVAL",
            ],
            "cpu 1: kernel"
        ),
        Case(
            "Exit unwires, removes and destroys",
            M,
            "uvm_map_teardown -> uvm_fault_unwire (pmap_extract, pmap_unwire, uvm_pageunwire), pmap_remove; pmap_destroy",
            [
                "Enter(pmap: 1, va: 0x3fc000, page: 2, prot: rw_, access: _w_, wired: true) => Ok",
                "Enter(pmap: 0, va: 0x3fc000, page: 2, prot: r__, access: ___) => Ok",
                "Activate(cpu: 0, pmap: 1) => Ok",
                "Exit(pmap: 1, wired: [0]) => Ok",
                "Extract(pmap: 1, va: 0x3fc000) => EINVAL",
                "Exit(pmap: 1) => EINVAL",
                "Exec(pmap: 0) => EBUSY",
                "Exec(pmap: 1) => Ok",
                "Activate(cpu: 0, pmap: 1) => Ok",
            ],
            "page 2: ref mod wire 0",
            "page 2 pv: pmap 0 0x3fc000",
            "pmap 1: alive, 0 mapped, 0 wired",
            "cpu 0: pmap 1"
        ),
        Case(
            "Unwire: no mapping is skipped, a page never wired breaks the caller's contract",
            A,
            "uvm_fault_unwire_locked: pmap_extract fails -> continue; it assumes the range was wired",
            [
                "Unwire(pmap: 0, va: 0x3fc000) => Ok",
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: ___) => Ok",
                "Unwire(pmap: 0, va: 0x3fc000) => EINVAL",
            ],
            "page 0: unref clean wire 0"
        ),
        UnwireOfAnUnwiredPte(
            A,
            "pmap_unwire: !(PG_W) -> DIAGNOSTIC printf \"didn't change\"; uvm_fault_unwire_locked: uvm_pageunwire(pg) for every page extracted"
        ),
        UnwireOfAnUnwiredPte(
            M,
            "pmap_unwire: only if (pted_va & PTED_VA_WIRED_M) are wired_count and the bit changed; uvm_pageunwire(pg) regardless"
        ),
        Case(
            "mlock of a mapped page on arm64: the PTE stays unwired, munlock unwires the page",
            M,
            "uvm_fault(WIRE): pmap_enter returns early on the unchanged mapping (PMAP_WIRED unseen), uvm_pagewire(pg); "
                + "uvm_fault_unwire_locked: pmap_unwire (bit clear: nothing), uvm_pageunwire(pg)",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: _w_) => Ok",
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: ___, wired: true) => Ok",
                "Unwire(pmap: 0, va: 0x3fc000) => Ok",
            ],
            "pmap 0 va 0x0000003fc000: page 1 rw_",
            "pmap 0: alive, 1 mapped, 0 wired",
            "page 1: ref mod wire 0"
        ),
        Case(
            "mlock of a mapped page on arm64, then exit: uvm_map_teardown unwires the page of the wired entry",
            M,
            "uvm_unmap_kill_entry: VM_MAPENT_ISWIRED -> uvm_fault_unwire_locked (uvm_pageunwire of every page extracted), then pmap_remove",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: _w_) => Ok",
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: ___, wired: true) => Ok",
                "Enter(pmap: 0, va: 0x3fd000, page: 2, prot: rw_, access: ___, wired: true) => Ok",
                "Exit(pmap: 0, wired: [0]) => Ok",
            ],
            "pmap 0: dead, 0 mapped, 0 wired",
            "page 1: ref mod wire 0",
            "page 2: unref clean wire 0"
        ),
        Case(
            "Exit leaves the pages of an entry not wired as they are",
            A,
            "uvm_unmap_kill_entry: uvm_fault_unwire_locked only when VM_MAPENT_ISWIRED; pmap_remove drops PG_W without touching the vm_page",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: ___, wired: true) => Ok",
                "Exit(pmap: 0, wired: [1, 2]) => Ok",
            ],
            "pmap 0: dead, 0 mapped, 0 wired",
            "page 1: unref clean wire 1"
        ),
        Case(
            "A PV walk inside a teardown takes effect on the survivors",
            A,
            "pmap_page_remove on a shared page during the exit of one of its pmaps",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rw_, access: _w_) => Ok",
                "Enter(pmap: 2, va: 0x1000001000, page: 1, prot: r__, access: r__) => Ok",
                "Exit(pmap: 0, at: 0, walk: ProtectNone, page: 1) => Ok",
                "Extract(pmap: 2, va: 0x1000001000) => Ok(none)",
                "Exit(pmap: 2, at: 3, walk: ClearReference, page: 1) => Ok",
                "IsReferenced(page: 1) => Ok(false)",
                "IsModified(page: 1) => Ok(true)",
            ]
        ),
        Case(
            "Protect to READ, and to NONE",
            A,
            "pmap_write_protect clears PG_RW and sets NX without EXEC; PROT_NONE is pmap_remove",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rwx, access: ___) => Ok",
                "Enter(pmap: 0, va: 0x3fd000, page: 1, prot: rw_, access: ___) => Ok",
                "Protect(pmap: 0, sva: 0x3fc000, eva: 0x3fd000, prot: r__) => Ok",
                "Protect(pmap: 0, sva: 0x3fd000, eva: 0x3fe000, prot: ___) => Ok",
                "Extract(pmap: 0, va: 0x3fd000) => Ok(none)",
            ],
            "pmap 0 va 0x0000003fc000: page 0 r__",
            "pmap 0: alive, 1 mapped, 0 wired"
        ),
        Case(
            "Protect never grants on arm64: exec requested of a read-only mapping",
            M,
            "pmap_page_ro clears READ when not requested and never sets a bit",
            [
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: r__) => Ok",
                "Protect(pmap: 0, sva: 0x3fc000, eva: 0x3fd000, prot: __x) => Ok",
                "Extract(pmap: 0, va: 0x3fc000) => Ok(page 0)",
            ],
            "pmap 0 va 0x0000003fc000: page 0 ___"
        ),
    ];
}
