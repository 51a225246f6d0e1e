namespace UvmDiff.Implementations.Map;

/// <summary>
/// The original UVM map: entries on a sorted doubly linked list with a one-entry hint. A lookup starts
/// at the hint when the address is at or above it, else at the head, and walks; an insertion next to
/// the entry last looked at (a clip) is O(1); first-fit placement walks from the head. There is no
/// augmented value to maintain, so free-space changes cost nothing.
/// </summary>
public sealed class SortedListIndex : IEntryIndex
{
    private sealed class Cell(VmEntry entry)
    {
        public readonly VmEntry Entry = entry;
        public Cell? Next;
        public Cell? Prev;
    }

    private Cell? _head;
    private Cell? _tail;
    private Cell? _hint;

    public string Name => "list";

    public int Count { get; private set; }

    public long Visited { get; set; }

    public long Moved => 0;

    public int Depth => Count;

    public void Clear()
    {
        _head = _tail = _hint = null;
        Count = 0;
    }

    public VmEntry? First => _head?.Entry;

    public VmEntry? Last => _tail?.Entry;

    private static Cell CellOf(VmEntry entry) => (Cell)entry.Leaf!;

    /// <summary>The last cell whose entry starts at or below <paramref name="key"/>, or null; from the hint when it can.</summary>
    private Cell? Floor(ulong key)
    {
        var cell = _hint is not null && _hint.Entry.Start <= key ? _hint : _head;
        if (cell is null || cell.Entry.Start > key)
            return null;
        Visited++;
        while (cell.Next is not null && cell.Next.Entry.Start <= key)
        {
            Visited++;
            cell = cell.Next;
        }
        return cell;
    }

    public VmEntry? ByAddr(ulong addr)
    {
        var cell = Floor(addr);
        if (cell is null || addr >= cell.Entry.FreeEnd)
            return null;
        _hint = cell;
        return cell.Entry;
    }

    public VmEntry? Next(VmEntry entry)
    {
        Visited++;
        return CellOf(entry).Next?.Entry;
    }

    public VmEntry? Prev(VmEntry entry)
    {
        Visited++;
        return CellOf(entry).Prev?.Entry;
    }

    public void Insert(VmEntry entry)
    {
        var cell = new Cell(entry);
        entry.Leaf = cell;
        var before = Floor(entry.Start);
        cell.Prev = before;
        cell.Next = before is null ? _head : before.Next;
        if (cell.Prev is null)
            _head = cell;
        else
            cell.Prev.Next = cell;
        if (cell.Next is null)
            _tail = cell;
        else
            cell.Next.Prev = cell;
        _hint = cell;
        Count++;
    }

    public void Remove(VmEntry entry)
    {
        var cell = CellOf(entry);
        if (cell.Prev is null)
            _head = cell.Next;
        else
            cell.Prev.Next = cell.Next;
        if (cell.Next is null)
            _tail = cell.Prev;
        else
            cell.Next.Prev = cell.Prev;
        if (_hint == cell)
            _hint = cell.Prev ?? cell.Next;
        entry.Leaf = null;
        Count--;
    }

    public void FreeSpaceChanged(VmEntry entry) { }

    public VmEntry? FirstFit(ulong size)
    {
        for (var cell = _head; cell is not null; cell = cell.Next)
        {
            Visited++;
            if (cell.Entry.FreeSpace >= size)
                return cell.Entry;
        }
        return null;
    }

    public string? Check()
    {
        int count = 0;
        Cell? prev = null;
        for (var cell = _head; cell is not null; prev = cell, cell = cell.Next)
        {
            count++;
            if (cell.Prev != prev)
                return "list: a back link is wrong";
            if (!ReferenceEquals(cell.Entry.Leaf, cell))
                return $"list: entry 0x{cell.Entry.Start:x} does not point at its cell";
            if (prev is not null && prev.Entry.Start >= cell.Entry.Start)
                return $"list: entries 0x{prev.Entry.Start:x} and 0x{cell.Entry.Start:x} out of order";
        }
        if (_tail != prev)
            return "list: the tail is not the last cell";
        return count == Count ? null : $"list: {count} cells, count says {Count}";
    }
}
