using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;

namespace UvmDiff.Implementations.Map;

/// <summary>The running sum of fact hashes a map keeps for its incremental fingerprint.</summary>
public sealed class FactLedger
{
    public ulong Sum;
}

/// <summary>
/// The amaps and anons of one map, or of every map of a kernel once processes share them (fork): their
/// allocation numbers, the fact hashes of the amaps and anons alive (so a fork's sharing keeps one
/// fingerprint of them), and the anons freed (uvm_anfree) since the kernel last took them, whose pages
/// the kernel frees.
/// </summary>
public sealed class AnonArena
{
    public int NextAmap = 1;
    public int NextAnon = 1;
    public readonly FactLedger Ledger = new();
    public readonly List<int> Freed = [];

    public void Reset()
    {
        NextAmap = NextAnon = 1;
        Ledger.Sum = 0;
        Freed.Clear();
    }
}

/// <summary>vm_anon with its fact in the arena's ledger.</summary>
public sealed class ImplAnon(int id)
{
    public readonly int Id = id;
    public int Refs = 1;
    public int Wired;

    /// <summary>The last map walk that reported this anon (<see cref="WalkStamp"/>).</summary>
    public long Walked;

    /// <summary>=> an anon whose last reference goes is uvm_anfree'd: the arena lists it</summary>
    public void Change(AnonArena arena, int refs, int wired)
    {
        arena.Ledger.Sum -= Refs > 0 ? MapFacts.Anon(Id, Refs, Wired) : 0;
        Refs = refs;
        Wired = wired;
        arena.Ledger.Sum += Refs > 0 ? MapFacts.Anon(Id, Refs, Wired) : 0;
        if (Refs == 0)
            arena.Freed.Add(Id);
    }
}

/// <summary>
/// uvm_amap.c as the kernel writes it: slots in chunks of UVM_AMAP_CHUNK allocated on first use, and
/// ppref as the kernel's run-length array (a run of length 1 stores ref + 1, a longer run stores
/// -(ref + 1) then its length), split and merged by amap_pp_adjref.
/// </summary>
public sealed class ChunkedAmap
{
    private readonly ImplAnon?[]?[] _chunks;
    private readonly AnonArena _arena;
    private readonly FactLedger _ledger;
    private readonly bool _skipPpref;

    public ChunkedAmap(int id, int slots, AnonArena arena, bool skipPprefOnSplit)
    {
        K.Kassert(slots > 0, "slots > 0");
        Id = id;
        Slots = slots;
        _arena = arena;
        _ledger = arena.Ledger;
        _skipPpref = skipPprefOnSplit;
        _chunks = new ImplAnon?[]?[(slots + MapConst.AmapChunk - 1) / MapConst.AmapChunk];
        _ledger.Sum += MapFacts.Amap(Id, Slots, Refs, Shared);
    }

    public readonly int Id;
    public readonly int Slots;
    public int Refs { get; private set; } = 1;

    /// <summary>AMAP_SHARED in am_flags.</summary>
    public bool Shared { get; private set; }

    /// <summary>am_ppref: null until a partial reference exists.</summary>
    private int[]? _ppref;

    public ImplAnon? Lookup(int slot)
    {
        var chunk = _chunks[slot / MapConst.AmapChunk];
        return chunk?[slot % MapConst.AmapChunk];
    }

    /// <summary>amap_add (or replace) of <paramref name="anon"/> at <paramref name="slot"/>.</summary>
    public void Add(int slot, ImplAnon anon)
    {
        var chunk = _chunks[slot / MapConst.AmapChunk] ??= new ImplAnon?[MapConst.AmapChunk];
        if (chunk[slot % MapConst.AmapChunk] is { } old)
            _ledger.Sum -= MapFacts.AnonSlot(Id, slot, old.Id);
        chunk[slot % MapConst.AmapChunk] = anon;
        _ledger.Sum += MapFacts.AnonSlot(Id, slot, anon.Id);
    }

    /// <summary>The last map walk that reported this amap (<see cref="WalkStamp"/>).</summary>
    public long Walked;

    /// <summary>
    /// Report the amap and its slots; append to <paramref name="anons"/> every anon not yet stamped with
    /// <paramref name="walk"/>, stamping it, so that an anon in several slots or amaps is reported once.
    /// </summary>
    public void Walk(IMapObserver observer, long walk, List<ImplAnon> anons)
    {
        observer.Amap(Id, Slots, Refs, Shared);
        for (int c = 0; c < _chunks.Length; c++)
        {
            if (_chunks[c] is not { } chunk)
                continue;
            for (int i = 0; i < chunk.Length; i++)
            {
                if (chunk[i] is not { } anon)
                    continue;
                observer.AnonSlot(Id, c * MapConst.AmapChunk + i, anon.Id);
                if (anon.Walked != walk)
                {
                    anon.Walked = walk;
                    anons.Add(anon);
                }
            }
        }
    }

    /// <summary>=> some slot holds an anon that other amaps share too (an_ref &gt; 1)</summary>
    public bool HoldsSharedAnon()
    {
        foreach (var chunk in _chunks)
        {
            if (chunk is null)
                continue;
            foreach (var anon in chunk)
            {
                if (anon is { Refs: > 1 })
                    return true;
            }
        }
        return false;
    }

    /// <summary>amap_splitref: ppref before the extra reference, then am_ref++.</summary>
    public void SplitRef(int pageoff, int leftSlots)
    {
        if (leftSlots == 0)
            throw K.Panic("amap_splitref: split at zero offset");
        if (Slots - pageoff - leftSlots <= 0)
            throw K.Panic("amap_splitref: map size check failed");
        if (_ppref is null && !_skipPpref)
            Establish();
        SetRefs(Refs + 1, Shared);
    }

    /// <summary>amap_ref → amap_adjref_anons(+1, all FALSE): the fork's reference, AMAP_SHARED when sharing.</summary>
    public void Ref(int offset, int len, bool shared)
    {
        if (_ppref is null && len != Slots)
            Establish();
        SetRefs(Refs + 1, Shared || shared);
        if (_ppref is not null)
            AdjustRef(offset, len, 1);
    }

    /// <summary>
    /// amap_copy's copy of a shared amap: a new amap of <paramref name="slots"/> slots gets the anons of
    /// [offset, offset + slots) here (an_ref++ each), chunk by chunk, and this amap drops the reference.
    /// </summary>
    public ChunkedAmap CopyOut(int id, int offset, int slots)
    {
        var copy = new ChunkedAmap(id, slots, _arena, _skipPpref);
        for (int lcv = 0; lcv < slots; lcv++)
        {
            int srcslot = offset + lcv;
            var chunk = _chunks[srcslot / MapConst.AmapChunk];
            if (chunk is null)
            {
                lcv += MapConst.AmapChunk - 1 - srcslot % MapConst.AmapChunk;
                continue;
            }
            if (chunk[srcslot % MapConst.AmapChunk] is not { } anon)
                continue;
            copy.Add(lcv, anon);
            anon.Change(_arena, anon.Refs + 1, anon.Wired);
        }
        SetRefs(Refs - 1, Shared);
        K.Kassert(Refs > 0, "srcamap->am_ref > 0");
        if (Refs == 1 && Shared)
            SetRefs(Refs, false);
        if (_ppref is not null)
            AdjustRef(offset, slots, -1);
        return copy;
    }

    /// <summary>
    /// amap_cow_now: each anon still shared (an_ref &gt; 1) is replaced by a new one from
    /// <paramref name="newAnon"/> and loses a reference, in slot order.
    /// </summary>
    public void CowNow(Func<ImplAnon> newAnon)
    {
        for (int c = 0; c < _chunks.Length; c++)
        {
            if (_chunks[c] is not { } chunk)
                continue;
            for (int i = 0; i < chunk.Length; i++)
            {
                if (chunk[i] is not { } anon || anon.Refs <= 1)
                    continue;
                Add(c * MapConst.AmapChunk + i, newAnon());
                anon.Change(_arena, anon.Refs - 1, anon.Wired);
            }
        }
    }

    /// <summary>amap_unref(amap, offset, len, FALSE). => true when the amap was wiped out and freed</summary>
    /// <param name="leaveSharedAnons">The ExitLeavesAnonRef fault: the wipe-out leaves the reference of anons with others.</param>
    public bool Unref(int offset, int len, bool leaveSharedAnons = false)
    {
        K.Kassert(Refs > 0, "amap->am_ref > 0");
        if (Refs == 1)
        {
            _ledger.Sum -= MapFacts.Amap(Id, Slots, Refs, Shared);
            Refs = 0;
            WipeRange(0, Slots, leaveSharedAnons);
            return true;
        }
        if (_ppref is null && len != Slots)
            Establish();
        SetRefs(Refs - 1, Shared && Refs != 2);
        if (_ppref is not null)
            AdjustRef(offset, len, -1);
        return false;
    }

    private void SetRefs(int refs, bool shared)
    {
        _ledger.Sum -= MapFacts.Amap(Id, Slots, Refs, Shared);
        Refs = refs;
        Shared = shared;
        _ledger.Sum += MapFacts.Amap(Id, Slots, Refs, Shared);
    }

    /// <summary>amap_pp_establish: one run over every slot with the current am_ref.</summary>
    private void Establish()
    {
        _ppref = new int[Slots];
        SetRefLen(_ppref, 0, Refs, Slots);
    }

    private static void GetRefLen(int[] ppref, int offset, out int refs, out int len)
    {
        if (ppref[offset] > 0)
        {
            refs = ppref[offset] - 1;
            len = 1;
        }
        else
        {
            refs = -ppref[offset] - 1;
            len = ppref[offset + 1];
        }
    }

    private static void SetRefLen(int[] ppref, int offset, int refs, int len)
    {
        if (len == 1)
            ppref[offset] = refs + 1;
        else
        {
            ppref[offset] = -(refs + 1);
            ppref[offset + 1] = len;
        }
    }

    /// <summary>amap_pp_adjref: split the runs at both ends, adjust, merge with the run before, wipe what reaches 0.</summary>
    private void AdjustRef(int curslot, int slotlen, int adjval)
    {
        var ppref = _ppref!;
        int stopslot = curslot + slotlen;
        int lcv,
            len = 0,
            refs,
            prevlcv = 0,
            prevref,
            prevlen;
        for (lcv = 0; lcv < curslot; lcv += len)
        {
            GetRefLen(ppref, lcv, out refs, out len);
            if (lcv + len > curslot)
            {
                SetRefLen(ppref, lcv, refs, curslot - lcv);
                SetRefLen(ppref, curslot, refs, len - (curslot - lcv));
                len = curslot - lcv;
            }
            prevlcv = lcv;
        }
        if (lcv != 0)
            GetRefLen(ppref, prevlcv, out prevref, out prevlen);
        else
        {
            prevref = -1;
            prevlen = 0;
        }
        if (lcv != curslot)
            throw K.Panic("amap_pp_adjref: overshot target");
        for (; lcv < stopslot; lcv += len)
        {
            GetRefLen(ppref, lcv, out refs, out len);
            if (lcv + len > stopslot)
            {
                SetRefLen(ppref, lcv, refs, stopslot - lcv);
                SetRefLen(ppref, stopslot, refs, len - (stopslot - lcv));
                len = stopslot - lcv;
            }
            refs += adjval;
            if (refs < 0)
                throw K.Panic("amap_pp_adjref: negative reference count");
            if (lcv == prevlcv + prevlen && refs == prevref)
                SetRefLen(ppref, prevlcv, refs, prevlen + len);
            else
                SetRefLen(ppref, lcv, refs, len);
            if (refs == 0)
                WipeRange(lcv, len);
        }
    }

    /// <summary>amap_wiperange: each anon in [slotoff, slotoff + slots) loses the slot's reference.</summary>
    private void WipeRange(int slotoff, int slots, bool leaveSharedAnons = false)
    {
        for (int slot = slotoff; slot < slotoff + slots; slot++)
        {
            var chunk = _chunks[slot / MapConst.AmapChunk];
            if (chunk?[slot % MapConst.AmapChunk] is not { } anon)
            {
                slot |= chunk is null ? MapConst.AmapChunk - 1 : 0;
                continue;
            }
            chunk[slot % MapConst.AmapChunk] = null;
            _ledger.Sum -= MapFacts.AnonSlot(Id, slot, anon.Id);
            if (!leaveSharedAnons || anon.Refs == 1)
                anon.Change(_arena, anon.Refs - 1, anon.Wired);
        }
    }
}

/// <summary>
/// Stamps for map walks, unique across every map and thread, so a walk marks the amaps and anons it has
/// reported (a mark bit, as the kernel would) instead of collecting them in hash sets.
/// </summary>
public static class WalkStamp
{
    private static long s_last;

    public static long Next() => Interlocked.Increment(ref s_last);
}
