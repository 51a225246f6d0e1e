namespace UvmDiff.Implementations.Pmap.Arm64;

/// <summary>arm64 descriptor bits (pte.h 1.10) and pte_desc flag bits (pmap.h 1.29, pmap.c 1.113).</summary>
public static class Arm64Pte
{
    public const ulong L3P = 0x3;
    public const ulong LxTypePt = 0x3;
    public const ulong Af = 1UL << 10;
    public const ulong NG = 1UL << 11;
    public const ulong ShInner = 3UL << 8;
    public const ulong Pxn = 1UL << 53;
    public const ulong Uxn = 1UL << 54;

    /// <summary>ATTR_GP, the BTI guarded-page bit: pm_guarded of a user pmap exec'd without EXEC_NOBTCFI.</summary>
    public const ulong Gp = 1UL << 50;

    /// <summary>PTE_ATTR_WB = 3 in AttrIndx (bits 2-4).</summary>
    public const ulong AttrWb = 3UL << 2;

    public const ulong Rpgn = 0x0000_ffff_ffff_f000;

    public static ulong Ap(int value) => (ulong)value << 6;

    /// <summary>pted_va bits below the page: PROT_MASK, PMAP_CACHE_WB, MANAGED, WIRED.</summary>
    public const ulong ProtMask = 0x7;
    public const ulong CacheWb = 0xC0;
    public const ulong Managed = 0x200;
    public const ulong Wired = 0x400;

    /// <summary>ap_bits_user[], indexed by prot.</summary>
    public static readonly ulong[] ApBitsUser =
    [
        0,
        Pxn | Uxn | Af | Ap(3),
        Pxn | Uxn | Af | Ap(1),
        Pxn | Uxn | Af | Ap(1),
        Pxn | Af | Ap(2),
        Pxn | Af | Ap(3),
        Pxn | Af | Ap(1),
        Pxn | Af | Ap(1),
    ];

    public static int Idx1(ulong va) => (int)((va >> 30) & 511);

    public static int Idx2(ulong va) => (int)((va >> 21) & 511);

    public static int Idx3(ulong va) => (int)((va >> 12) & 511);
}

/// <summary>
/// A TLB entry: the translation (ASID, VPN, the PTE it cached) and, for the invariants, the pmap it was
/// filled for and that pmap's incarnation then.
/// </summary>
public struct TlbEntry
{
    public bool Valid;
    public ulong Asid;
    public ulong Vpn;
    public ulong Pte;
    public int Owner;
    public int Incarnation;
}

/// <summary>struct pte_desc: the PV list link, pted_pte (PA + enabled prot), the pmap, pted_va (VA + allowed prot + flags).</summary>
public sealed class PteDesc
{
    public PteDesc? PvNext;
    public PteDesc? PvPrev;
    public ulong PtedPte;
    public int Pmap;
    public ulong PtedVa;

    public ulong Va => PtedVa & ~0xfffUL;
}

/// <summary>
/// The slots a table ever had entered, lowest and highest, so that returning it to its pool clears only
/// those: a freed table's slots are mostly empty, and clearing its two 512-slot arrays whole at every world
/// reset was a quarter of a kernel campaign's time. Slots are only ever filled by pmap_vp_enter.
/// </summary>
public abstract class VpTable
{
    public int Lowest = int.MaxValue;
    public int Highest = -1;

    public void Touch(int index)
    {
        Lowest = Math.Min(Lowest, index);
        Highest = Math.Max(Highest, index);
    }

    /// <summary>Clear the touched slots of <paramref name="entries"/> and <paramref name="vp"/>, and forget them.</summary>
    protected void Clear<T>(ulong[] entries, T[] vp)
    {
        if (Highest >= Lowest)
        {
            Array.Clear(entries, Lowest, Highest - Lowest + 1);
            Array.Clear(vp, Lowest, Highest - Lowest + 1);
        }
        Lowest = int.MaxValue;
        Highest = -1;
    }
}

public sealed class Vp3 : VpTable
{
    public readonly ulong[] L3 = new ulong[512];
    public readonly PteDesc?[] Vp = new PteDesc?[512];
    public ulong Frame;

    public void Clear() => Clear(L3, Vp);
}

public sealed class Vp2 : VpTable
{
    public readonly ulong[] L2 = new ulong[512];
    public readonly Vp3?[] Vp = new Vp3?[512];
    public ulong Frame;

    public void Clear() => Clear(L2, Vp);
}

public sealed class Vp1 : VpTable
{
    public readonly ulong[] L1 = new ulong[512];
    public readonly Vp2?[] Vp = new Vp2?[512];
    public ulong Frame;

    public void Clear() => Clear(L1, Vp);
}
