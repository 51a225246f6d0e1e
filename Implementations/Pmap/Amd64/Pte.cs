namespace UvmDiff.Implementations.Pmap.Amd64;

/// <summary>amd64 PTE bits, pte.h 1.18, and the index arithmetic of pmap.h 1.94.</summary>
public static class Pte
{
    public const ulong V = 0x1;
    public const ulong RW = 0x2;
    public const ulong User = 0x4;
    public const ulong Accessed = 0x20;
    public const ulong Modified = 0x40;
    public const ulong PS = 0x80;
    public const ulong Global = 0x100;

    /// <summary>PG_W, software "wired" (AVAIL1).</summary>
    public const ulong Wired = 0x200;

    /// <summary>PG_PVLIST, software "has a PV entry" (AVAIL2): a managed page, whose U/M the pmap syncs (seed 003 keeps no PV entry behind it).</summary>
    public const ulong PvList = 0x400;

    public const ulong NX = 1UL << 63;
    public const ulong Frame = 0x000f_ffff_ffff_f000;

    public const int Entries = 512;
    public const ulong NbpdL2 = 1UL << 21;

    /// <summary>pl_i(va, level): the index of va's entry in its level-<paramref name="level"/> table (1 = PTEs).</summary>
    public static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

    /// <summary>
    /// protection_codes[] as pmap_bootstrap builds it with NX and without PKU: read-only is PG_RO|NX,
    /// read-write PG_RW|NX, exec-only and r-x PG_RO, write-exec PG_RW. Indexed by prot.
    /// </summary>
    public static readonly ulong[] ProtectionCodes = [NX, NX, RW | NX, RW | NX, 0, 0, RW, RW];

    /// <summary>x86_round_pdr: up to the next 2 MiB boundary.</summary>
    public static ulong RoundPdr(ulong va) => (va + NbpdL2 - 1) & ~(NbpdL2 - 1);
}
