using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Map;

namespace UvmDiff.Implementations.Map;

/// <summary>
/// A vm_map over an <see cref="IEntryIndex"/> (the RB tree of today's OpenBSD, or the B+-tree of seed
/// 001's question), written in uvm_map.c's control flow: clips through uvm_map_splitentry, the free
/// space of an unmapped range given to the entry before it, first-fit placement through the augmented
/// free space. The fingerprint is kept incrementally: an entry is touched before it changes and its
/// fact re-hashed when the op ends.
/// </summary>
public sealed class TreeVmMap : IVmMapMachine
{
    private const ulong Page = MapConst.PageSize;

    private readonly IEntryIndex _index;
    private readonly FaultSet _faults;
    private readonly FactLedger _ledger = new();
    private readonly List<VmEntry> _dirty = [];
    private readonly int[] _objectRefs = new int[MapConst.Objects + 1];
    private readonly Dictionary<(int, ulong), int> _objectPages = [];
    private readonly List<ImplAnon> _walkedAnons = [];
    private ulong _size;
    private readonly AnonArena _arena;
    private readonly bool _ownsArena;
    private readonly bool _forkZeroKeepsAmap;
    private readonly bool _cowWritesThrough;
    private readonly bool _exitLeavesAnonRef;

    private readonly bool _chunkAtFault;

    /// <param name="chunkAtFault">
    /// False for UnchunkedAmap, seed 001's other option: amap_copy never clips a large entry into 64 KiB
    /// chunks; the whole entry gets one sparse amap, whose slots are allocated by chunk on first use.
    /// </param>
    /// <param name="arena">
    /// The kernel's amaps and anons, shared by every process's map; null: the map's own. In a kernel's
    /// arena the amap and anon facts are the kernel's to fingerprint, so <see cref="Fingerprint"/> leaves
    /// them out.
    /// </param>
    public TreeVmMap(IEntryIndex index, FaultSet faults, bool chunkAtFault = true, AnonArena? arena = null)
    {
        _index = index;
        _faults = faults;
        _chunkAtFault = chunkAtFault;
        _ownsArena = arena is null;
        _arena = arena ?? new AnonArena();
        _forkZeroKeepsAmap = faults.Has(Kernel.KernelFaults.ForkZeroKeepsAmap);
        _cowWritesThrough = faults.Has(Kernel.KernelFaults.CowFaultWritesThrough);
        _exitLeavesAnonRef = faults.Has(Kernel.KernelFaults.ExitLeavesAnonRef);
        if (index is RbTreeIndex rb)
            rb.SkipAugmentOnFreeChange = faults.Has(MapFaults.StaleFreeAugment);
        if (index is BTreeIndex btree)
            btree.Probes = Probes;
        Reset();
    }

    public IEntryIndex Index => _index;

    public long[] Probes { get; } = new long[MapProbes.Names.Count];

    public int Count => _index.Count;

    public long Changes { get; private set; }

    public void Reset()
    {
        Changes++;
        _index.Clear();
        _dirty.Clear();
        _objectPages.Clear();
        _ledger.Sum = 0;
        for (int obj = 1; obj <= MapConst.Objects; obj++)
        {
            _objectRefs[obj] = 1;
            _ledger.Sum += MapFacts.Object(obj, 1);
        }
        _size = 0;
        _ledger.Sum += MapFacts.Size(0);
        if (_ownsArena)
            _arena.Reset();
    }

    // ---- fingerprint bookkeeping ----

    private void Touch(VmEntry e)
    {
        Changes++;
        if (e.Dirty)
            return;
        e.Dirty = true;
        if (e.InMap)
            _ledger.Sum -= e.Hash;
        _dirty.Add(e);
    }

    private void Settle()
    {
        if (_dirty.Count == 0)
            return;
        for (int i = 0; i < _dirty.Count; i++)
        {
            var e = _dirty[i];
            e.Dirty = false;
            if (e.InMap)
            {
                e.Hash = MapFacts.Entry(e.Facts());
                _ledger.Sum += e.Hash;
            }
        }
        _dirty.Clear();
    }

    public ulong Fingerprint()
    {
        Settle();
        return _ledger.Sum + (_ownsArena ? _arena.Ledger.Sum : 0);
    }

    private void SetSize(ulong size)
    {
        Changes++;
        _ledger.Sum += MapFacts.Size(size) - MapFacts.Size(_size);
        _size = size;
    }

    private void AddObjectRef(int obj, int delta)
    {
        Changes++;
        _ledger.Sum -= MapFacts.Object(obj, _objectRefs[obj]);
        _objectRefs[obj] += delta;
        _ledger.Sum += MapFacts.Object(obj, _objectRefs[obj]);
    }

    private void SetObjectPage((int Obj, ulong Off) key, int wired, bool existed)
    {
        Changes++;
        if (existed)
            _ledger.Sum -= MapFacts.ObjectPage(key.Obj, key.Off, _objectPages[key]);
        _objectPages[key] = wired;
        _ledger.Sum += MapFacts.ObjectPage(key.Obj, key.Off, wired);
    }

    private void SetFreeSpace(VmEntry e, ulong freeSpace)
    {
        Touch(e);
        e.FreeSpace = freeSpace;
        Probes[MapProbes.FreeSpaceChanged]++;
        _index.FreeSpaceChanged(e);
    }

    private void Link(VmEntry e)
    {
        Touch(e);
        e.InMap = true;
        _index.Insert(e);
    }

    private void Unlink(VmEntry e)
    {
        Touch(e);
        e.InMap = false;
        _index.Remove(e);
    }

    private T Done<T>(T result)
    {
        Settle();
        return result;
    }

    // ---- lookups ----

    private VmEntry? FirstFrom(ulong addr)
    {
        var entry = _index.ByAddr(addr);
        if (entry is null)
            return _index.First;
        return entry.End <= addr ? _index.Next(entry) : entry;
    }

    private VmEntry? LookupEntry(ulong addr)
    {
        var entry = _index.ByAddr(addr);
        return entry is not null && !entry.IsHole && entry.Start <= addr && addr < entry.End ? entry : null;
    }

    // ---- clipping: uvm_map_clip_start, uvm_map_clip_end, uvm_map_splitentry ----

    /// <summary>UVM_MAP_CLIP_START: the caller's entry becomes the part starting at addr.</summary>
    private VmEntry ClipStart(VmEntry entry, ulong addr)
    {
        if (entry.Start >= addr)
            return entry;
        Probes[MapProbes.ClipStart]++;
        if (_faults.Has(MapFaults.ClipStartLeavesLowerHalf))
        {
            var upper = entry.CopyFields();
            Split(entry, upper, addr);
            return entry;
        }
        Unlink(entry);
        var lower = entry.CopyFields();
        lower.Dirty = false;
        Link(lower);
        Split(lower, entry, addr);
        return entry;
    }

    /// <summary>UVM_MAP_CLIP_END: the caller's entry stays the lower part.</summary>
    private void ClipEnd(VmEntry entry, ulong addr)
    {
        if (entry.End <= addr)
            return;
        Probes[MapProbes.ClipEnd]++;
        Split(entry, entry.CopyFields(), addr);
    }

    /// <summary>uvm_map_splitentry(map, orig, next, split): next, unlinked, becomes [split, end).</summary>
    private void Split(VmEntry orig, VmEntry next, ulong split)
    {
        if ((split & (Page - 1)) != 0)
            throw K.Panic($"uvm_map_splitentry: split address 0x{split:x} not on page boundary!");
        K.Kassert(orig.Start < split && orig.FreeEnd > split, "orig->start < split && VMMAP_FREE_END(orig) > split");
        K.Kassert(split < orig.End, "split < orig->end");
        ulong adj = split - orig.Start;
        Touch(orig);
        next.Start = split;
        next.FreeSpace = orig.FreeSpace;
        orig.End = split;
        SetFreeSpace(orig, 0);
        if (orig.IsWired)
        {
            Probes[MapProbes.SplitWired]++;
            if (_faults.Has(MapFaults.SplitDropsWiredCount))
                next.WiredCount = 0;
        }
        if (next.Amap is { } amap)
        {
            Probes[MapProbes.SplitWithAmap]++;
            amap.SplitRef(orig.PageOff, (int)(adj / Page));
            if (!_faults.Has(MapFaults.ClipKeepsPageOff))
                next.PageOff = orig.PageOff + (int)(adj / Page);
        }
        if ((orig.EType & EType.Obj) != 0)
        {
            Probes[MapProbes.SplitWithObject]++;
            AddObjectRef(orig.Obj, 1);
            if (!_faults.Has(MapFaults.ClipKeepsObjectOffset))
                next.Offset += adj;
        }
        Link(next);
    }

    // ---- mapping ----

    public string? MapFixed(ulong addr, ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset)
    {
        if (size == 0 || addr < MapConst.MinAddress || addr + size < addr || addr + size > MapConst.MaxAddress)
            return "EINVAL";
        if ((prot & max) != prot)
            return "EACCES";
        if (UnmapRemove(addr, addr + size, checkImmutable: true) is { } error)
            return Done(error);
        if (!IsAvailable(addr, size))
            return Done("ENOMEM");
        MakeEntry(addr, size, prot, max, kind, obj, offset);
        return Done<string?>(null);
    }

    public string? MapAnywhere(ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset, out ulong addr)
    {
        addr = 0;
        if (size == 0)
            return "EINVAL";
        if ((prot & max) != prot)
            return "EACCES";
        var first = _index.First;
        ulong leading = (first?.Start ?? MapConst.MaxAddress) - MapConst.MinAddress;
        if (leading >= size)
            addr = MapConst.MinAddress;
        else if (_index.FirstFit(size) is { } fit)
            addr = fit.End;
        else
            return "ENOMEM";
        MakeEntry(addr, size, prot, max, kind, obj, offset);
        return Done<string?>(null);
    }

    /// <summary>uvm_map_isavail: only free space in [addr, addr + size).</summary>
    private bool IsAvailable(ulong addr, ulong size)
    {
        var entry = _index.ByAddr(addr);
        if (entry is not null && entry.End > addr)
            return false;
        var next = entry is null ? _index.First : _index.Next(entry);
        return next is null || next.Start >= addr + size;
    }

    /// <summary>uvm_map_mkentry and uvm_map/uvm_mapanon's set-up of the new entry.</summary>
    private void MakeEntry(ulong addr, ulong size, Prot prot, Prot max, MapKind kind, int obj, ulong offset)
    {
        var before = _index.ByAddr(addr);
        ulong freeEnd = before?.FreeEnd ?? _index.First?.Start ?? MapConst.MaxAddress;
        var entry = new VmEntry
        {
            Start = addr,
            End = addr + size,
            FreeSpace = freeEnd - (addr + size),
            Protection = prot,
            MaxProtection = max,
            Advice = Advice.Normal,
        };
        switch (kind)
        {
            case MapKind.Private:
                entry.EType = EType.CopyOnWrite | EType.NeedsCopy;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.Stack:
                entry.EType = EType.CopyOnWrite | EType.NeedsCopy | EType.Stack;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.Shared:
                entry.Inheritance = Inherit.Share;
                entry.Amap = NewAmap(entry.Pages);
                break;
            case MapKind.FilePrivate:
                entry.EType = EType.Obj | EType.CopyOnWrite | EType.NeedsCopy;
                entry.Inheritance = Inherit.Copy;
                break;
            case MapKind.FileShared:
                entry.EType = EType.Obj;
                entry.Inheritance = Inherit.Share;
                break;
            case MapKind.Hole:
                entry.EType = EType.Hole;
                entry.Protection = entry.MaxProtection = Prot.None;
                entry.Inheritance = Inherit.None;
                break;
        }
        if ((entry.EType & EType.Obj) != 0)
        {
            entry.Obj = obj;
            entry.Offset = offset;
            AddObjectRef(obj, 1);
        }
        if (before is not null)
            SetFreeSpace(before, addr - before.End);
        Link(entry);
        if (kind != MapKind.Hole)
            SetSize(_size + size);
    }

    private ChunkedAmap NewAmap(int slots) =>
        new(_arena.NextAmap++, slots, _arena, _faults.Has(MapFaults.SplitWithoutPpref));

    private ImplAnon NewAnon()
    {
        var anon = new ImplAnon(_arena.NextAnon++);
        _arena.Ledger.Sum += MapFacts.Anon(anon.Id, 1, 0);
        return anon;
    }

    // ---- unmapping ----

    public string? Unmap(ulong addr, ulong size)
    {
        if (size == 0 || addr < MapConst.MinAddress || addr + size < addr || addr + size > MapConst.MaxAddress)
            return "EINVAL";
        if (!CheckProt(addr, addr + size))
            return "EINVAL";
        return Done(UnmapRemove(addr, addr + size, checkImmutable: true));
    }

    /// <summary>uvm_map_checkprot(map, start, end, PROT_NONE).</summary>
    private bool CheckProt(ulong start, ulong end)
    {
        var entry = _index.ByAddr(start);
        if (entry is null)
            return false;
        for (; entry is not null && entry.Start < end; entry = _index.Next(entry))
        {
            if (entry.IsHole || (entry.End < end && entry.End != entry.FreeEnd))
                return false;
        }
        return true;
    }

    /// <summary>uvm_unmap_remove(map, start, end, dead, FALSE, TRUE, checkimmutable) and uvm_unmap_detach.</summary>
    private string? UnmapRemove(ulong start, ulong end, bool checkImmutable)
    {
        start = Math.Max(start, MapConst.MinAddress);
        end = Math.Min(end, MapConst.MaxAddress);
        if (start >= end)
            return null;
        var entry = _index.ByAddr(start);
        if (checkImmutable)
        {
            for (var e = FirstFrom(start); e is not null && e.Start < end; e = _index.Next(e))
            {
                if (!e.IsHole && (e.EType & EType.Immutable) != 0)
                    return "EPERM";
            }
        }
        if (entry is null)
            entry = _index.First;
        else if (entry.End <= start)
            entry = _index.Next(entry);
        else
            entry = ClipStart(entry, start);
        while (entry is not null && entry.Start < end)
        {
            ClipEnd(entry, end);
            var next = _index.Next(entry);
            if (!entry.IsHole)
            {
                if (entry.IsWired)
                {
                    Touch(entry);
                    entry.WiredCount = 0;
                    UnwirePages(entry, entry.Start, entry.End);
                }
                SetSize(_size - (entry.End - entry.Start));
                var prev = _index.Prev(entry);
                ulong freed = entry.FreeEnd - entry.Start;
                Unlink(entry);
                if (prev is not null)
                    SetFreeSpace(prev, prev.FreeSpace + freed);
                if (entry.Amap is { } amap)
                {
                    if (entry.Pages != amap.Slots)
                        Probes[MapProbes.PartialAmapUnref]++;
                    amap.Unref(entry.PageOff, entry.Pages);
                }
                if ((entry.EType & EType.Obj) != 0)
                    AddObjectRef(entry.Obj, -1);
            }
            entry = next;
        }
        return null;
    }

    // ---- fork and teardown: uvmspace_fork, uvm_map_teardown ----

    /// <summary>uvmspace_fork into the empty <paramref name="child"/>: forkshared, forkcopy, forkzero per entry; never clips.</summary>
    public void Fork(IVmMapMachine child)
    {
        var into = (TreeVmMap)child;
        K.Kassert(into._index.Count == 0, "uvmspace_alloc: a new vmspace is empty");
        for (var old = _index.First; old is not null; old = _index.Next(old))
        {
            if ((old.EType & (EType.CopyOnWrite | EType.NeedsCopy)) == EType.NeedsCopy)
                throw K.Panic("fork: non-copy_on_write map entry marked needs_copy (illegal)");
            VmEntry entry;
            switch (old.Inheritance)
            {
                case Inherit.Share:
                    if ((old.EType & EType.NeedsCopy) != 0)
                        AmapCopy(old, canChunk: false, 0, 0);
                    entry = into.Clone(old, shared: true);
                    break;
                case Inherit.Copy:
                    entry = into.Clone(old, shared: false);
                    entry.EType |= EType.CopyOnWrite | EType.NeedsCopy;
                    if (old.Amap is { } amap && (amap.Shared || old.IsWired))
                        into.AmapCopy(entry, canChunk: false, 0, 0);
                    if (old.IsWired)
                    {
                        if (old.Amap is not null)
                            entry.Amap!.CowNow(into.NewAnon);
                    }
                    else if (old.Amap is not null && (old.EType & EType.NeedsCopy) == 0)
                    {
                        Touch(old);
                        old.EType |= EType.NeedsCopy;
                    }
                    break;
                case Inherit.Zero:
                    entry = into.Clone(old, shared: false);
                    entry.EType |= EType.CopyOnWrite | EType.NeedsCopy;
                    if (entry.Amap is { } zeroed)
                    {
                        Probes[MapProbes.ForkZeroWithAmap]++;
                        if (!_forkZeroKeepsAmap)
                        {
                            zeroed.Unref(entry.PageOff, entry.Pages);
                            entry.Amap = null;
                            entry.PageOff = 0;
                        }
                    }
                    if ((entry.EType & EType.Obj) != 0)
                    {
                        into.AddObjectRef(entry.Obj, -1);
                        entry.Obj = 0;
                        entry.EType &= ~EType.Obj;
                    }
                    break;
                default:
                    continue;
            }
            if (!entry.IsHole)
                into.SetSize(into._size + (entry.End - entry.Start));
        }
        into.Settle();
        Settle();
    }

    /// <summary>uvm_mapent_clone at the old entry's addresses, after every entry the child has: wired_count 0, amap_ref, pgo_reference.</summary>
    private VmEntry Clone(VmEntry old, bool shared)
    {
        var before = _index.Last;
        var entry = new VmEntry
        {
            Start = old.Start,
            End = old.End,
            FreeSpace = MapConst.MaxAddress - old.End,
            EType = old.EType,
            Protection = old.Protection,
            MaxProtection = old.MaxProtection,
            Inheritance = old.Inheritance,
            Advice = old.Advice,
            Obj = old.Obj,
            Offset = old.Offset,
            Amap = old.Amap,
            PageOff = old.PageOff,
        };
        if (before is not null)
            SetFreeSpace(before, old.Start - before.End);
        Link(entry);
        entry.Amap?.Ref(entry.PageOff, entry.Pages, shared);
        if ((entry.EType & EType.Obj) != 0)
            AddObjectRef(entry.Obj, 1);
        return entry;
    }

    /// <summary>uvm_map_teardown then uvm_unmap_detach: kill (unwire) every entry, drop its amap and object references, empty the map.</summary>
    public void Teardown()
    {
        for (var e = _index.First; e is not null; e = _index.Next(e))
        {
            if (e.IsWired && !e.IsHole)
            {
                e.WiredCount = 0;
                UnwirePages(e, e.Start, e.End);
            }
        }
        for (var e = _index.First; e is not null; e = _index.Next(e))
        {
            if (e.Amap is { } amap)
            {
                if (amap.Refs == 1 && amap.HoldsSharedAnon())
                    Probes[MapProbes.TeardownSharedAnon]++;
                amap.Unref(e.PageOff, e.Pages, leaveSharedAnons: _exitLeavesAnonRef);
            }
            if ((e.EType & EType.Obj) != 0)
                AddObjectRef(e.Obj, -1);
        }
        Reset();
    }

    // ---- attributes ----

    public string? Protect(ulong start, ulong end, Prot prot)
    {
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, MapConst.MinAddress);
        end = Math.Min(end, MapConst.MaxAddress);
        if (start >= end)
            return null;
        var first = FirstFrom(start);
        bool clipEarly = _faults.Has(MapFaults.ProtectClipsBeforeCheck);
        for (var iter = first; iter is not null && iter.Start < end; iter = _index.Next(iter))
        {
            if (iter.IsHole)
                continue;
            if (clipEarly && iter.Protection != prot)
            {
                iter = ClipStart(iter, start);
                if (iter == first || first!.Start >= start)
                    first = iter;
                ClipEnd(iter, end);
            }
            if ((iter.EType & EType.Immutable) != 0 || (prot & iter.MaxProtection) != prot)
            {
                Probes[MapProbes.ProtectDenied]++;
                return Done((iter.EType & EType.Immutable) != 0 ? "EPERM" : "EACCES");
            }
        }
        for (var iter = first; iter is not null && iter.Start < end; iter = _index.Next(iter))
        {
            if (iter.IsHole || iter.Protection == prot)
                continue;
            iter = ClipStart(iter, start);
            ClipEnd(iter, end);
            Touch(iter);
            iter.Protection = prot;
            var mask = (iter.EType & EType.CopyOnWrite) != 0 ? ~Prot.W : Prot.RWX;
            if ((iter.Protection & mask) == Prot.None && iter.IsWired)
            {
                iter.WiredCount = 0;
                if (_faults.Has(MapFaults.MprotectNoneUnwires))
                {
                    Probes[MapProbes.ProtectDenied]++;
                    UnwirePages(iter, iter.Start, iter.End);
                }
            }
        }
        return Done<string?>(null);
    }

    public string? SetInherit(ulong start, ulong end, Inherit inheritance)
    {
        if (inheritance > Inherit.Zero || start > end)
            return "EINVAL";
        start = Math.Max(start, MapConst.MinAddress);
        end = Math.Min(end, MapConst.MaxAddress);
        if (start >= end)
            return null;
        bool validateFirst = _faults.Has(MapFaults.MinheritEpermClipUndone);
        var entry = validateFirst ? FirstFrom(start) : ClippedFirst(start);
        for (var e = entry; e is not null && e.Start < end; e = _index.Next(e))
        {
            if ((e.EType & EType.Immutable) != 0 || (inheritance == Inherit.Zero && (e.Protection & Prot.W) == 0))
            {
                Probes[MapProbes.InheritDenied]++;
                return Done("EPERM");
            }
        }
        if (validateFirst && entry is not null)
            entry = ClipStart(entry, start);
        for (; entry is not null && entry.Start < end; entry = _index.Next(entry))
        {
            ClipEnd(entry, end);
            Touch(entry);
            entry.Inheritance = inheritance;
        }
        return Done<string?>(null);
    }

    public string? Immutable(ulong start, ulong end)
    {
        if (start > end)
            return "EINVAL";
        start = Math.Max(start, MapConst.MinAddress);
        end = Math.Min(end, MapConst.MaxAddress);
        if (start >= end)
            return null;
        var entry = ClippedFirst(start);
        for (var e = entry; e is not null && e.Start < end; e = _index.Next(e))
        {
            if (e.Inheritance == Inherit.Zero)
                return Done("EPERM");
        }
        for (; entry is not null && entry.Start < end; entry = _index.Next(entry))
        {
            ClipEnd(entry, end);
            Touch(entry);
            entry.EType |= EType.Immutable;
        }
        return Done<string?>(null);
    }

    public string? Advise(ulong start, ulong end, Advice advice)
    {
        if (advice > Advice.Sequential || start > end)
            return "EINVAL";
        start = Math.Max(start, MapConst.MinAddress);
        end = Math.Min(end, MapConst.MaxAddress);
        if (start >= end)
            return null;
        for (var entry = ClippedFirst(start); entry is not null && entry.Start < end; entry = _index.Next(entry))
        {
            ClipEnd(entry, end);
            Touch(entry);
            entry.Advice = advice;
        }
        return Done<string?>(null);
    }

    private VmEntry? ClippedFirst(ulong start)
    {
        var entry = _index.ByAddr(start);
        if (entry is not null && entry.End > start)
            return ClipStart(entry, start);
        return entry is null ? _index.First : _index.Next(entry);
    }

    // ---- wiring: uvm_map_pageable ----

    public string? Pageable(ulong start, ulong end, bool unwire)
    {
        if (start > end)
            return "EINVAL";
        if (start == end)
            return null;
        if (start < MapConst.MinAddress)
            return "EFAULT";
        if (end > MapConst.MaxAddress)
            return "EINVAL";
        var first = _index.ByAddr(start);
        if (first is null || first.End <= start || first.IsHole)
            return "EFAULT";
        VmEntry? last;
        for (last = first; last is not null && last.Start < end; last = _index.Next(last))
        {
            if (last.IsHole || (last.End < end && last.FreeEnd != last.End))
                return "EINVAL";
        }
        if (last is null)
        {
            last = _index.Last!;
            if (last.End < end)
                return "EINVAL";
        }
        else
            last = _index.Prev(last)!;

        bool sameEntry = first == last;
        VmEntry? stop;
        if (unwire)
        {
            if (first.IsWired)
                first = ClipStart(first, start);
            if (sameEntry)
                last = first;
            if (last.IsWired)
            {
                ClipEnd(last, end);
                stop = _index.Next(last);
            }
            else
                stop = last;
            for (var iter = first; iter is not null && iter != stop; iter = _index.Next(iter))
            {
                if (!iter.IsWired || iter.IsHole)
                    continue;
                Touch(iter);
                iter.WiredCount = 0;
                UnwirePages(iter, iter.Start, iter.End);
            }
            return Done<string?>(null);
        }
        if (!first.IsWired || _faults.Has(MapFaults.MlockClipsWiredFirst))
            first = ClipStart(first, start);
        if (sameEntry)
            last = first;
        if (!last.IsWired)
        {
            ClipEnd(last, end);
            stop = _index.Next(last);
        }
        else
            stop = last;
        for (var iter = first; iter is not null && iter != stop; iter = _index.Next(iter))
        {
            if (iter.IsHole || iter.Protection == Prot.None)
                continue;
            if (
                !iter.IsWired
                && (iter.EType & EType.NeedsCopy) != 0
                && ((iter.Protection & Prot.W) != 0 || iter.Obj == 0)
            )
                AmapCopy(iter, canChunk: (iter.EType & EType.Stack) == 0, iter.Start, iter.End);
            Touch(iter);
            iter.WiredCount++;
        }
        for (var iter = first; iter is not null && iter != stop; iter = _index.Next(iter))
        {
            if (iter.IsHole || iter.Protection == Prot.None)
                continue;
            bool write = (iter.Protection & Prot.W) != 0;
            ulong wireEnd = iter.End;
            for (ulong va = iter.Start; va < wireEnd; va += Page)
                FaultPage(va, write, wire: true);
        }
        return Done<string?>(null);
    }

    /// <summary>uvm_fault_unwire_locked over [start, end) of one entry: no underflow check.</summary>
    private void UnwirePages(VmEntry entry, ulong start, ulong end)
    {
        for (ulong va = start; va < end; va += Page)
        {
            if (AnonAt(entry, va) is { } anon)
                anon.Change(_arena, anon.Refs, anon.Wired - 1);
            else if (entry.Obj != 0 && _objectPages.TryGetValue(ObjectKey(entry, va), out int wired))
                SetObjectPage(ObjectKey(entry, va), wired - 1, existed: true);
        }
    }

    // ---- faults: uvm_fault, amap_copy ----

    public string? Fault(ulong va, Prot access)
    {
        var entry = LookupEntry(va);
        if (entry is null)
            return "EFAULT";
        if ((entry.Protection & access) != access)
            return "EACCES";
        bool write = access == Prot.W;
        if (entry.IsWired)
            write = (entry.Protection & Prot.W) != 0;
        FaultPage(va, write, wire: false);
        return Done<string?>(null);
    }

    private void FaultPage(ulong va, bool write, bool wire)
    {
        var e = LookupEntry(va)!;
        if ((e.EType & EType.NeedsCopy) != 0 && (write || e.Obj == 0))
            e = AmapCopy(
                e,
                canChunk: (e.EType & EType.Stack) == 0 || _faults.Has(MapFaults.StackChunked),
                va,
                va + Page
            );
        bool fresh = false;
        var anon = AnonAt(e, va);
        if (anon is not null && write && anon.Refs > 1)
        {
            Probes[MapProbes.AnonPromote]++;
            if (!_cowWritesThrough)
            {
                var old = anon;
                anon = NewAnon();
                e.Amap!.Add(Slot(e, va), anon);
                old.Change(_arena, old.Refs - 1, old.Wired);
                fresh = true;
            }
        }
        else if (anon is null && (e.Obj == 0 || (write && (e.EType & EType.CopyOnWrite) != 0)))
        {
            if (e.Obj != 0)
                Resident(e, va);
            anon = NewAnon();
            e.Amap!.Add(Slot(e, va), anon);
            fresh = true;
        }
        if (anon is not null)
        {
            if (wire || (fresh && e.IsWired))
                anon.Change(_arena, anon.Refs, anon.Wired + 1);
            return;
        }
        Resident(e, va);
        if (wire)
        {
            var key = ObjectKey(e, va);
            SetObjectPage(key, _objectPages[key] + 1, existed: true);
        }
    }

    /// <summary>
    /// amap_copy(map, entry, waitf, canchunk, startva, endva): a new amap for an entry without one
    /// (chunked when large and allowed), a single-reference amap taken over, a shared one copied.
    /// </summary>
    private VmEntry AmapCopy(VmEntry entry, bool canChunk, ulong startva, ulong endva)
    {
        if (entry.Amap is { } source)
        {
            Touch(entry);
            entry.EType &= ~EType.NeedsCopy;
            if (source.Refs == 1)
                return entry;
            entry.Amap = source.CopyOut(_arena.NextAmap++, entry.PageOff, entry.Pages);
            entry.PageOff = 0;
            return entry;
        }
        if (entry.Pages >= MapConst.AmapLarge)
        {
            if ((entry.EType & EType.Stack) != 0)
                Probes[MapProbes.StackFaultUnchunked]++;
            if (canChunk && _chunkAtFault)
            {
                Probes[MapProbes.FaultChunked]++;
                if (!_faults.Has(MapFaults.ChunkNotAligned))
                    startva = startva / MapConst.ChunkBytes * MapConst.ChunkBytes;
                ulong rounded = unchecked(
                    (endva + MapConst.ChunkBytes - 1) / MapConst.ChunkBytes * MapConst.ChunkBytes
                );
                entry = ClipStart(entry, startva);
                if (rounded >= startva)
                    ClipEnd(entry, rounded);
            }
        }
        Touch(entry);
        entry.PageOff = 0;
        entry.Amap = NewAmap(entry.Pages);
        entry.EType &= ~EType.NeedsCopy;
        return entry;
    }

    private static ImplAnon? AnonAt(VmEntry entry, ulong va) => entry.Amap?.Lookup(Slot(entry, va));

    private static int Slot(VmEntry entry, ulong va) => entry.PageOff + (int)((va - entry.Start) / Page);

    private static (int, ulong) ObjectKey(VmEntry entry, ulong va) => (entry.Obj, entry.Offset + (va - entry.Start));

    private bool Resident(VmEntry entry, ulong va)
    {
        var key = ObjectKey(entry, va);
        if (_objectPages.ContainsKey(key))
            return false;
        SetObjectPage(key, 0, existed: false);
        return true;
    }

    // ---- observation and checks ----

    public void Walk(IMapObserver observer)
    {
        Settle();
        long walk = WalkStamp.Next();
        var anons = _walkedAnons;
        anons.Clear();
        for (var e = _index.First; e is not null; e = _index.Next(e))
        {
            observer.Entry(e.Facts());
            if (e.Amap is { } amap && amap.Walked != walk)
            {
                amap.Walked = walk;
                amap.Walk(observer, walk, anons);
            }
        }
        foreach (var anon in anons)
            observer.Anon(anon.Id, anon.Refs, anon.Wired);
        foreach (var ((obj, off), wired) in _objectPages)
            observer.ObjectPage(obj, off, wired);
        for (int obj = 1; obj <= MapConst.Objects; obj++)
            observer.Object(obj, _objectRefs[obj]);
        observer.Size(_size);
    }

    public bool Lookup(ulong va, out EntryFacts entry, out int anon, out int anonRefs, out bool amapShared)
    {
        var e = LookupEntry(va);
        entry = e?.Facts() ?? default;
        var found = e?.Amap?.Lookup(e.PageOff + (int)((va - e.Start) >> MapConst.PageShift));
        (anon, anonRefs, amapShared) = (found?.Id ?? 0, found?.Refs ?? 0, e?.Amap?.Shared ?? false);
        return e is not null;
    }

    public int ObjectRefs(int obj) => _objectRefs[obj];

    public string? Check()
    {
        Settle();
        if (_index.Check() is { } broken)
            return broken;
        ulong addr = MapConst.MinAddress;
        ulong size = 0;
        bool first = true;
        int count = 0;
        for (var e = _index.First; e is not null; e = _index.Next(e))
        {
            count++;
            if (first ? e.Start < addr : e.Start != addr)
                return $"entry 0x{e.Start:x}-0x{e.End:x} does not start where the previous free space ends (0x{addr:x})";
            first = false;
            if (e.End <= e.Start)
                return $"entry 0x{e.Start:x}-0x{e.End:x} is empty or reversed";
            if (e.FreeEnd < e.End || e.FreeEnd > MapConst.MaxAddress)
                return $"entry 0x{e.Start:x}-0x{e.End:x} has free space past the map (0x{e.FreeEnd:x})";
            if (e.Amap is { } amap && e.PageOff + e.Pages > amap.Slots)
                return $"entry 0x{e.Start:x}-0x{e.End:x} reaches past its amap ({e.PageOff}+{e.Pages} > {amap.Slots})";
            if (!e.IsHole)
                size += e.End - e.Start;
            addr = e.FreeEnd;
        }
        if (count > 0 && addr != MapConst.MaxAddress)
            return $"the last free space ends at 0x{addr:x}, not at the map's end";
        if (count != _index.Count)
            return $"{_index.Name}: {count} entries walked, count says {_index.Count}";
        return size == _size ? null : $"map size 0x{_size:x}, should be 0x{size:x}";
    }
}
