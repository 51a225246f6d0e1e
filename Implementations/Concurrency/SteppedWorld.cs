using System.Text;

namespace UvmDiff.Implementations.Concurrency;

/// <summary>Who owns a slot in the stepped machine: an amap slot, an aobj offset, a kernel-object offset.</summary>
public enum SlotOwner : byte
{
    Anon,
    Aobj,
    Kmem,
}

/// <summary>A thread touched what it must not: the Panic outcome of a stepped run.</summary>
public sealed class SteppedPanic(string message) : Exception(message);

/// <summary>
/// The shared memory of the stepped machine, as the kernel lays it out: struct vm_page fields in arrays
/// (pg_flags, wire_count, the pageq TAILQ links, a mapped bit standing for the PV list), the page
/// queues' heads and tails, the uvmexp counters, the owner slots (amap slots, object offsets), the free
/// page pool and who holds each lock. Threads change it one <see cref="Step"/> at a time.
/// </summary>
public sealed class SteppedWorld
{
    public const int FreeAtStart = 8;
    public const int Nil = -1;

    public const byte PqActive = 0x1;
    public const byte PqInactive = 0x2;
    public const byte PgFree = 0x4;

    public readonly SlotOwner[] Owners = new SlotOwner[Footprints.MaxSlots];

    /// <summary>
    /// The lock that guards each slot's owner: by default the one of its kind (<see cref="Locks.Amap"/>,
    /// <see cref="Locks.Aobj"/>, <see cref="Locks.Kobj"/>); a set-up may give a slot another owner's lock.
    /// </summary>
    public readonly int[] OwnerLock = new int[Footprints.MaxSlots];
    public readonly int[] SlotPage = new int[Footprints.MaxSlots];
    public int SlotCount;

    public readonly int[] PageSlot = new int[Footprints.MaxPages];
    public readonly byte[] Flags = new byte[Footprints.MaxPages];
    public readonly int[] WireCount = new int[Footprints.MaxPages];
    public readonly bool[] Mapped = new bool[Footprints.MaxPages];
    public readonly int[] Prev = new int[Footprints.MaxPages];
    public readonly int[] Next = new int[Footprints.MaxPages];
    public int PageCount;

    /// <summary>Index 0 the active queue, 1 the inactive queue.</summary>
    public readonly int[] Head = new int[2];
    public readonly int[] Tail = new int[2];

    public int Active;
    public int Inactive;
    public int Wired;
    public int Free;

    private readonly int[] _freeStack = new int[Footprints.MaxPages];
    private int _freeTop;

    public readonly int[] Holder = new int[Locks.Count];

    /// <summary>Empty the world for <paramref name="owners"/>; every slot starts without a page.</summary>
    public void Reset(ReadOnlySpan<SlotOwner> owners)
    {
        SlotCount = owners.Length;
        owners.CopyTo(Owners);
        for (int slot = 0; slot < owners.Length; slot++)
        {
            OwnerLock[slot] = owners[slot] switch
            {
                SlotOwner.Anon => Locks.Amap,
                SlotOwner.Aobj => Locks.Aobj,
                _ => Locks.Kobj,
            };
        }
        Array.Fill(SlotPage, Nil);
        Head[0] = Head[1] = Tail[0] = Tail[1] = Nil;
        Active = Inactive = Wired = 0;
        Array.Fill(Holder, Nil);
        PageCount = SlotCount + FreeAtStart;
        for (int page = 0; page < PageCount; page++)
        {
            PageSlot[page] = Nil;
            Flags[page] = PgFree;
            WireCount[page] = 0;
            Mapped[page] = false;
            Prev[page] = Next[page] = Nil;
        }
        _freeTop = 0;
        for (int page = PageCount - 1; page >= SlotCount; page--)
            _freeStack[_freeTop++] = page;
        Free = FreeAtStart;
    }

    /// <summary>Set-up, not a step: page number <paramref name="slot"/> becomes the slot's page.</summary>
    /// <param name="queue">0 active, 1 inactive, -1 none.</param>
    public void Place(int slot, int queue, int wireCount, bool mapped)
    {
        int page = slot;
        SlotPage[slot] = page;
        PageSlot[page] = slot;
        Flags[page] = 0;
        WireCount[page] = wireCount;
        Mapped[page] = mapped;
        if (wireCount > 0)
            Wired++;
        if (queue >= 0)
        {
            Prev[page] = Tail[queue];
            Next[page] = Nil;
            if (Tail[queue] == Nil)
                Head[queue] = page;
            else
                Next[Tail[queue]] = page;
            Tail[queue] = page;
            Flags[page] = queue == 0 ? PqActive : PqInactive;
            if (queue == 0)
                Active++;
            else
                Inactive++;
        }
    }

    /// <summary>A step that reads or writes a page's fields. => panics on a free page</summary>
    public void Touch(int page, string what)
    {
        if ((Flags[page] & PgFree) != 0)
            throw new SteppedPanic($"{what}: pg {page} is free (use after free)");
    }

    /// <summary>uvm_pmr_freepages / the per-CPU cache: one atomic step. => panics on a double free</summary>
    public void ReturnToFreePool(int page)
    {
        if ((Flags[page] & PgFree) != 0)
            throw new SteppedPanic($"uvm_pagefree: pg {page} freed twice");
        if ((Flags[page] & (PqActive | PqInactive)) != 0)
            throw new SteppedPanic($"uvm_pagefree: pg {page} still on a page queue");
        Flags[page] = PgFree;
        _freeStack[_freeTop++] = page;
        Free++;
    }

    /// <summary>uvm_pagealloc's pmemrange take: one atomic step. => panics when no page is free</summary>
    public int TakeFromFreePool()
    {
        if (_freeTop == 0)
            throw new SteppedPanic("uvm_pagealloc: out of pages");
        int page = _freeStack[--_freeTop];
        Flags[page] = 0;
        Free--;
        return page;
    }

    /// <summary>The observation, in the reference's format: slots, queues in order, counters.</summary>
    public void Render(List<string> into)
    {
        for (int slot = 0; slot < SlotCount; slot++)
        {
            int page = SlotPage[slot];
            string owner = Owners[slot] switch
            {
                SlotOwner.Anon => "anon",
                SlotOwner.Aobj => "aobj",
                _ => "kmem",
            };
            if (page == Nil)
            {
                into.Add($"slot {slot} {owner}: none");
                continue;
            }
            string queue =
                (Flags[page] & PqActive) != 0 ? "active"
                : (Flags[page] & PqInactive) != 0 ? "inactive"
                : "none";
            into.Add($"slot {slot} {owner}: {queue} wire={WireCount[page]} {(Mapped[page] ? "mapped" : "unmapped")}");
        }
        into.Add("active:" + Walk(0));
        into.Add("inactive:" + Walk(1));
        into.Add($"uvmexp: active={Active} inactive={Inactive} wired={Wired} free={Free}");
    }

    private string Walk(int queue)
    {
        var sb = new StringBuilder();
        int steps = 0;
        for (int page = Head[queue]; page != Nil && steps++ < PageCount; page = Next[page])
            sb.Append(' ').Append(PageSlot[page] == Nil ? $"pg{page}" : PageSlot[page].ToString());
        return sb.ToString();
    }

    /// <summary>
    /// The quiescent-point invariants: each queue is a well-linked list whose length is its counter and
    /// whose pages carry its flag; wired pages are on no queue and number uvmexp.wired; a free page is on
    /// no queue, in no slot and mapped by nobody; every lock is free. => null, or the first violation
    /// </summary>
    public string? Check()
    {
        for (int queue = 0; queue < 2; queue++)
        {
            byte flag = queue == 0 ? PqActive : PqInactive;
            int length = 0;
            int prev = Nil;
            for (int page = Head[queue]; page != Nil; page = Next[page])
            {
                if (++length > PageCount)
                    return $"{QueueName(queue)} queue is circular";
                if (Prev[page] != prev)
                    return $"{QueueName(queue)} queue: pg {page}'s prev link is {Prev[page]}, not {prev}";
                if ((Flags[page] & flag) == 0)
                    return $"{QueueName(queue)} queue holds pg {page} without its flag";
                prev = page;
            }
            if (Tail[queue] != prev)
                return $"{QueueName(queue)} queue: tail is {Tail[queue]}, the last page is {prev}";
            int counter = queue == 0 ? Active : Inactive;
            if (counter != length)
                return $"uvmexp.{QueueName(queue)} {counter} != {QueueName(queue)} queue length {length}";
            int flagged = 0;
            for (int page = 0; page < PageCount; page++)
            {
                if ((Flags[page] & flag) != 0)
                    flagged++;
            }
            if (flagged != length)
                return $"{flagged} pages flagged {QueueName(queue)}, {length} on the queue";
        }
        int wired = 0;
        for (int page = 0; page < PageCount; page++)
        {
            if ((Flags[page] & PgFree) != 0)
            {
                if (Mapped[page])
                    return $"pg {page} is free but still mapped";
                if (PageSlot[page] != Nil && SlotPage[PageSlot[page]] == page)
                    return $"pg {page} is free but still in slot {PageSlot[page]}";
                continue;
            }
            if (WireCount[page] > 0)
            {
                wired++;
                if ((Flags[page] & (PqActive | PqInactive)) != 0)
                    return $"pg {page} is wired and on a page queue";
            }
        }
        if (wired != Wired)
            return $"uvmexp.wired {Wired} != wired pages {wired}";
        for (int lockId = 0; lockId < Locks.Count; lockId++)
        {
            if (Holder[lockId] != Nil)
                return $"{Locks.Names[lockId]} still held by thread {Holder[lockId]}";
        }
        return null;
    }

    private static string QueueName(int queue) => queue == 0 ? "active" : "inactive";
}
