namespace UvmDiff.Implementations.Pmap.Amd64;

/// <summary>A TLB entry: the VPN, the PTE it cached, and the page-table page it was walked through (null: invalid).</summary>
public struct TlbEntry
{
    public ulong Vpn;
    public ulong Pte;
    public Ptp? Table;
}

/// <summary>
/// A page-table page (or the PML4): 512 entries, the vm_page's wire_count (1 + live entries for a
/// PTP), its place in the parent, and a summary of which entries are live (one bit per entry, kept on
/// every enter and remove; amd64-sparse's teardown reads it, every mode's table walks skip by it).
/// </summary>
public sealed class Ptp
{
    public readonly ulong[] Entries = new ulong[Pte.Entries];

    /// <summary>Live-entry summary: bit i of word i/64 set when entry i is valid.</summary>
    public readonly ulong[] Summary = new ulong[Pte.Entries / 64];

    public ulong Frame;
    public int Level;
    public int WireCount;
    public Ptp? Parent;
    public int ParentIndex;
    public int Pmap;
    public bool Free = true;

    public void Mark(int index) => Summary[index >> 6] |= 1UL << (index & 63);

    public void Unmark(int index) => Summary[index >> 6] &= ~(1UL << (index & 63));

    public bool Marked(int index) => (Summary[index >> 6] & (1UL << (index & 63))) != 0;

    /// <summary>
    /// Zero every entry and the summary, touching only the marked entries: every write of a new entry
    /// marks it and every entry zeroed in place was marked, so an unmarked entry is zero already. Freed
    /// table pages are mostly empty, and a 4 KiB clear per frame at every world reset was a tenth of a
    /// kernel campaign's time.
    /// </summary>
    public void Zero()
    {
        for (int word = 0; word < Summary.Length; word++)
        {
            for (ulong bits = Summary[word]; bits != 0; bits &= bits - 1)
                Entries[(word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits)] = 0;
            Summary[word] = 0;
        }
    }
}

/// <summary>A PV entry {next, pmap, va, ptp}: pmap.c's struct pv_entry.</summary>
public sealed class PvEntry
{
    public PvEntry? Next;
    public int Pmap;
    public ulong Va;
    public Ptp? Ptp;
}
