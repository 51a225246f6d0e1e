namespace UvmDiff.Spec.Pmap;

/// <summary>
/// What the two architectures are allowed to do differently (uvm-semantics.md 9.2-9.3), one row per
/// difference, each with the kernel lines it comes from. The reference takes one profile; an
/// implementation is compared with the reference built with its own architecture's profile.
/// </summary>
/// <param name="Arch">Which machine the row set describes.</param>
/// <param name="Grants">
/// Accesses a mapping entered (or left by pmap_protect) with protection p lets a user thread make,
/// indexed by p, after any ref/mod emulation. amd64 (pmap.c 1.182 <c>pmap_bootstrap</c>'s
/// <c>protection_codes[]</c> with pte.h 1.18 PG_RO/PG_RW/PG_NX, no PKU): every present PTE is readable,
/// write needs PG_RW, exec needs PG_NX clear, so X is r-x and the empty set left by pmap_protect is r--.
/// arm64 (pmap.c 1.113 <c>ap_bits_user[]</c>): R is AP(3)+UXN, W and RW are AP(1)+UXN (readable),
/// X is AP(2) without UXN (execute-only), RX is AP(3), WX and RWX are AP(1); none is PTE 0.
/// </param>
/// <param name="ProtectStripsWrite">
/// arm64 <c>pmap_page_ro</c> clears PROT_WRITE from <c>pted_va</c> (the allowed bits) as well as
/// <c>pted_pte</c>, so <c>pmap_fault_fixup</c> never restores it. amd64's pmap.h inline
/// <c>pmap_protect</c> does nothing at all when the new protection contains PROT_WRITE.
/// </param>
/// <param name="ProtectWriteOnlyRemoves">
/// A protection without READ or EXEC: arm64 <c>pmap_protect</c> calls <c>pmap_remove</c> for any such
/// prot (WRITE-only included); amd64's inline removes only for PROT_NONE and ignores WRITE-only.
/// </param>
/// <param name="FailedEnterRemovesOld">
/// arm64 <c>pmap_enter</c> calls <c>pmap_remove_pted</c> on a differing old mapping before allocating
/// the new pted, so ENOMEM leaves the VA unmapped; amd64 takes its PV entry from the pool first and
/// returns ENOMEM with the old mapping in place.
/// </param>
/// <param name="SameEnterKeepsWiring">
/// arm64 <c>pmap_enter</c> returns 0 early when PA, protection and cache mode are unchanged, without
/// looking at PMAP_WIRED; amd64 sets PG_W and counts it.
/// </param>
/// <param name="PageProtectReadKeepsExec">
/// <c>pmap_page_protect(pg, PROT_READ)</c>: amd64 clears only PG_RW (<c>pmap_clear_attrs(pg, PG_RW)</c>),
/// so an executable mapping stays executable; arm64 <c>pmap_page_ro</c> also clears PROT_EXEC when the
/// new protection lacks it, leaving r--.
/// </param>
/// <param name="EnterPresetsRefMod">
/// arm64 <c>pmap_enter</c> sets PG_PMAP_REF from the access type (and MOD for a write into a writable
/// mapping); amd64's new PTE has neither PG_U nor PG_M and the hardware sets them on the access that
/// follows. With the access performed by the enter op both end in the same ref/mod state, so this row
/// changes no observation: it says why the amd64 machine performs the access and arm64's need not.
/// </param>
/// <param name="ResidentCountsTables">
/// amd64 <c>resident_count</c> includes the PML4 and every PTP (<c>pmap_create</c>, <c>pmap_get_ptp</c>,
/// <c>pmap_freepage</c>); arm64 counts mapped pages only. Observations show the number of mapped pages;
/// the raw counter is checked by each machine's own invariant.
/// </param>
public sealed record PmapProfile(
    Arch Arch,
    Prot[] Grants,
    bool ProtectStripsWrite,
    bool ProtectWriteOnlyRemoves,
    bool FailedEnterRemovesOld,
    bool SameEnterKeepsWiring,
    bool PageProtectReadKeepsExec,
    bool EnterPresetsRefMod,
    bool ResidentCountsTables
)
{
    private const Prot R = Prot.Read,
        W = Prot.Write,
        X = Prot.Exec;

    public static readonly PmapProfile Amd64 = new(
        Arch.Amd64,
        //         ---  r--  -w-      rw-      --x      r-x      -wx          rwx
        Grants: [R, R, R | W, R | W, R | X, R | X, R | W | X, R | W | X],
        ProtectStripsWrite: false,
        ProtectWriteOnlyRemoves: false,
        FailedEnterRemovesOld: false,
        SameEnterKeepsWiring: false,
        PageProtectReadKeepsExec: true,
        EnterPresetsRefMod: false,
        ResidentCountsTables: true
    );

    public static readonly PmapProfile Arm64 = new(
        Arch.Arm64,
        //                   ---        r--  -w-      rw-      --x  r-x      -wx          rwx
        Grants: [Prot.None, R, R | W, R | W, X, R | X, R | W | X, R | W | X],
        ProtectStripsWrite: true,
        ProtectWriteOnlyRemoves: true,
        FailedEnterRemovesOld: true,
        SameEnterKeepsWiring: true,
        PageProtectReadKeepsExec: false,
        EnterPresetsRefMod: true,
        ResidentCountsTables: false
    );

    public static PmapProfile Of(Arch arch) => arch == Arch.Amd64 ? Amd64 : Arm64;
}
