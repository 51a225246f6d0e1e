namespace UvmDiff.Implementations.Map;

/// <summary>
/// The map entries in a B+-tree keyed by start address, seed 001's proposal: entries in leaves chained
/// in address order, internal nodes holding separator keys, and in every node the largest free space
/// below it (the augmented value first-fit placement descends by). A clip inserts into a leaf and splits
/// full nodes on the way back up; an unmap removes from a leaf and refills an underfull node from a
/// sibling (redistribution) or merges it with one. The fan-out is a constructor argument: the
/// differential layer runs a small one so that short sequences split and merge, the benchmarks the
/// chosen one.
/// </summary>
public sealed class BTreeIndex : IEntryIndex
{
    private abstract class Node
    {
        public Internal? Parent;
        public int Count;
        public ulong FreeMax;
    }

    private sealed class Leaf(int capacity) : Node
    {
        public readonly VmEntry[] Entries = new VmEntry[capacity + 1];
        public Leaf? Next;
        public Leaf? Prev;
    }

    private sealed class Internal(int capacity) : Node
    {
        public readonly Node[] Children = new Node[capacity + 1];

        /// <summary>Keys[i] separates Children[i - 1] and Children[i]: every key below it is left of it. Keys[0] is unused.</summary>
        public readonly ulong[] Keys = new ulong[capacity + 1];
    }

    private readonly int _leafCapacity;
    private readonly int _fanout;
    private readonly bool _splitLosesBoundary;
    private readonly bool _mergeDropsKey;
    private Node _root;
    private Leaf _first;

    public BTreeIndex(int leafCapacity, int fanout, bool splitLosesBoundary = false, bool mergeDropsKey = false)
    {
        if (leafCapacity < 3 || fanout < 3)
            throw new ArgumentOutOfRangeException(nameof(fanout), "B+-tree nodes hold at least 3 entries or children");
        _leafCapacity = leafCapacity;
        _fanout = fanout;
        _splitLosesBoundary = splitLosesBoundary;
        _mergeDropsKey = mergeDropsKey;
        _root = _first = new Leaf(leafCapacity);
    }

    public string Name => $"btree{_leafCapacity}/{_fanout}";

    public int Count { get; private set; }

    public long Visited { get; set; }

    public long Moved { get; private set; }

    /// <summary>The probe counters of the map that owns the tree (node splits, merges and redistributions).</summary>
    public long[]? Probes { get; set; }

    private void CountSplit()
    {
        if (Probes is not null)
            Probes[MapProbes.NodeSplit]++;
    }

    private void CountMerge()
    {
        if (Probes is not null)
            Probes[MapProbes.NodeMerge]++;
    }

    public int Depth
    {
        get
        {
            int depth = 1;
            for (var node = _root; node is Internal inner; node = inner.Children[0])
                depth++;
            return depth;
        }
    }

    public void Clear()
    {
        _root = _first = new Leaf(_leafCapacity);
        Count = 0;
    }

    public VmEntry? First => _first.Count > 0 ? _first.Entries[0] : null;

    public VmEntry? Last
    {
        get
        {
            var node = _root;
            while (node is Internal inner)
                node = inner.Children[inner.Count - 1];
            var leaf = (Leaf)node;
            return leaf.Count > 0 ? leaf.Entries[leaf.Count - 1] : null;
        }
    }

    private Leaf Descend(ulong key)
    {
        var node = _root;
        while (node is Internal inner)
        {
            Visited++;
            int i = inner.Count - 1;
            while (i > 0 && inner.Keys[i] > key)
                i--;
            node = inner.Children[i];
        }
        Visited++;
        return (Leaf)node;
    }

    /// <summary>
    /// Separators are not raised when a leaf loses its lowest entry, so the descent can reach a leaf whose
    /// entries all start above addr: the entry holding addr is then the last one of the leaf before.
    /// </summary>
    public VmEntry? ByAddr(ulong addr)
    {
        var leaf = Descend(addr);
        for (int i = leaf.Count - 1; i >= 0; i--)
        {
            var entry = leaf.Entries[i];
            if (entry.Start <= addr)
                return addr < entry.FreeEnd ? entry : null;
        }
        if (leaf.Prev is { Count: > 0 } prev)
        {
            Visited++;
            var entry = prev.Entries[prev.Count - 1];
            return addr < entry.FreeEnd ? entry : null;
        }
        return null;
    }

    private static int IndexIn(Leaf leaf, VmEntry entry)
    {
        for (int i = 0; i < leaf.Count; i++)
        {
            if (ReferenceEquals(leaf.Entries[i], entry))
                return i;
        }
        throw new InvalidOperationException($"btree: entry 0x{entry.Start:x} is not in its leaf");
    }

    public VmEntry? Next(VmEntry entry)
    {
        var leaf = (Leaf)entry.Leaf!;
        int i = IndexIn(leaf, entry);
        Visited++;
        if (i + 1 < leaf.Count)
            return leaf.Entries[i + 1];
        return leaf.Next is { Count: > 0 } next ? next.Entries[0] : null;
    }

    public VmEntry? Prev(VmEntry entry)
    {
        var leaf = (Leaf)entry.Leaf!;
        int i = IndexIn(leaf, entry);
        Visited++;
        if (i > 0)
            return leaf.Entries[i - 1];
        return leaf.Prev is { Count: > 0 } prev ? prev.Entries[prev.Count - 1] : null;
    }

    public VmEntry? FirstFit(ulong size)
    {
        var node = _root;
        if (node.FreeMax < size)
            return null;
        while (node is Internal inner)
        {
            Visited++;
            int i = 0;
            while (inner.Children[i].FreeMax < size)
                i++;
            node = inner.Children[i];
        }
        Visited++;
        var leaf = (Leaf)node;
        for (int i = 0; i < leaf.Count; i++)
        {
            if (leaf.Entries[i].FreeSpace >= size)
                return leaf.Entries[i];
        }
        return null;
    }

    public void FreeSpaceChanged(VmEntry entry) => RefreshUp((Leaf)entry.Leaf!);

    public void Insert(VmEntry entry)
    {
        var leaf = Descend(entry.Start);
        int at = leaf.Count;
        while (at > 0 && leaf.Entries[at - 1].Start > entry.Start)
        {
            leaf.Entries[at] = leaf.Entries[at - 1];
            at--;
        }
        leaf.Entries[at] = entry;
        leaf.Count++;
        entry.Leaf = leaf;
        Count++;
        if (leaf.Count > _leafCapacity)
            SplitLeaf(leaf);
        else
            RefreshUp(leaf);
    }

    private void SplitLeaf(Leaf leaf)
    {
        CountSplit();
        var right = new Leaf(_leafCapacity);
        int keep = leaf.Count / 2;
        int from = _splitLosesBoundary ? keep + 1 : keep;
        for (int i = from; i < leaf.Count; i++)
        {
            right.Entries[right.Count++] = leaf.Entries[i];
            leaf.Entries[i].Leaf = right;
            leaf.Entries[i] = null!;
            Moved++;
        }
        if (_splitLosesBoundary)
        {
            leaf.Entries[keep] = null!;
            Count--;
        }
        leaf.Count = keep;
        right.Next = leaf.Next;
        right.Prev = leaf;
        if (leaf.Next is not null)
            leaf.Next.Prev = right;
        leaf.Next = right;
        Recompute(leaf);
        Recompute(right);
        InsertChild(leaf, right, right.Entries[0].Start);
    }

    /// <summary>Put <paramref name="right"/> after <paramref name="left"/> in their parent, splitting upwards.</summary>
    private void InsertChild(Node left, Node right, ulong key)
    {
        var parent = left.Parent;
        if (parent is null)
        {
            var root = new Internal(_fanout);
            root.Children[0] = left;
            root.Children[1] = right;
            root.Keys[1] = key;
            root.Count = 2;
            left.Parent = right.Parent = root;
            _root = root;
            Recompute(root);
            return;
        }
        int at = IndexOfChild(parent, left) + 1;
        for (int i = parent.Count; i > at; i--)
        {
            parent.Children[i] = parent.Children[i - 1];
            parent.Keys[i] = parent.Keys[i - 1];
        }
        parent.Children[at] = right;
        parent.Keys[at] = key;
        parent.Count++;
        right.Parent = parent;
        if (parent.Count > _fanout)
            SplitInternal(parent);
        else
            RefreshUp(parent);
    }

    private void SplitInternal(Internal node)
    {
        CountSplit();
        var right = new Internal(_fanout);
        int keep = node.Count / 2;
        ulong separator = node.Keys[keep];
        for (int i = keep; i < node.Count; i++)
        {
            right.Children[right.Count] = node.Children[i];
            right.Keys[right.Count] = node.Keys[i];
            right.Children[right.Count].Parent = right;
            right.Count++;
            node.Children[i] = null!;
        }
        node.Count = keep;
        Recompute(node);
        Recompute(right);
        InsertChild(node, right, separator);
    }

    public void Remove(VmEntry entry)
    {
        var leaf = (Leaf)entry.Leaf!;
        int at = IndexIn(leaf, entry);
        for (int i = at; i < leaf.Count - 1; i++)
            leaf.Entries[i] = leaf.Entries[i + 1];
        leaf.Entries[--leaf.Count] = null!;
        entry.Leaf = null;
        Count--;
        Rebalance(leaf);
    }

    private int MinFill(Node node) => node is Leaf ? (_leafCapacity + 1) / 2 : (_fanout + 1) / 2;

    /// <summary>After a removal: refill an underfull node from a sibling, or merge it with one.</summary>
    private void Rebalance(Node node)
    {
        var parent = node.Parent;
        if (parent is null)
        {
            if (node is Internal { Count: 1 } root)
            {
                _root = root.Children[0];
                _root.Parent = null;
            }
            else
                Recompute(node);
            return;
        }
        if (node.Count >= MinFill(node))
        {
            RefreshUp(node);
            return;
        }
        int index = IndexOfChild(parent, node);
        var left = index > 0 ? parent.Children[index - 1] : null;
        var right = index + 1 < parent.Count ? parent.Children[index + 1] : null;
        if (left is not null && left.Count > MinFill(left))
            BorrowFromLeft(parent, index, left, node);
        else if (right is not null && right.Count > MinFill(right))
            BorrowFromRight(parent, index, node, right);
        else if (left is not null)
        {
            Merge(parent, index - 1, left, node);
            Rebalance(parent);
        }
        else
        {
            Merge(parent, index, node, right!);
            Rebalance(parent);
        }
    }

    private void BorrowFromLeft(Internal parent, int index, Node left, Node node)
    {
        CountMerge();
        Moved++;
        if (node is Leaf leaf)
        {
            var from = (Leaf)left;
            for (int i = leaf.Count; i > 0; i--)
                leaf.Entries[i] = leaf.Entries[i - 1];
            leaf.Entries[0] = from.Entries[--from.Count];
            from.Entries[from.Count] = null!;
            leaf.Entries[0].Leaf = leaf;
            leaf.Count++;
            parent.Keys[index] = leaf.Entries[0].Start;
        }
        else
        {
            var inner = (Internal)node;
            var from = (Internal)left;
            for (int i = inner.Count; i > 0; i--)
            {
                inner.Children[i] = inner.Children[i - 1];
                inner.Keys[i] = inner.Keys[i - 1];
            }
            inner.Keys[1] = parent.Keys[index];
            inner.Children[0] = from.Children[from.Count - 1];
            inner.Children[0].Parent = inner;
            parent.Keys[index] = from.Keys[from.Count - 1];
            from.Children[--from.Count] = null!;
            inner.Count++;
        }
        Recompute(left);
        Recompute(node);
        RefreshUp(parent);
    }

    private void BorrowFromRight(Internal parent, int index, Node node, Node right)
    {
        CountMerge();
        Moved++;
        if (node is Leaf leaf)
        {
            var from = (Leaf)right;
            leaf.Entries[leaf.Count] = from.Entries[0];
            leaf.Entries[leaf.Count].Leaf = leaf;
            leaf.Count++;
            for (int i = 0; i < from.Count - 1; i++)
                from.Entries[i] = from.Entries[i + 1];
            from.Entries[--from.Count] = null!;
            parent.Keys[index + 1] = from.Entries[0].Start;
        }
        else
        {
            var inner = (Internal)node;
            var from = (Internal)right;
            inner.Children[inner.Count] = from.Children[0];
            inner.Keys[inner.Count] = parent.Keys[index + 1];
            inner.Children[inner.Count].Parent = inner;
            inner.Count++;
            parent.Keys[index + 1] = from.Keys[1];
            for (int i = 0; i < from.Count - 1; i++)
            {
                from.Children[i] = from.Children[i + 1];
                from.Keys[i] = from.Keys[i + 1];
            }
            from.Children[--from.Count] = null!;
        }
        Recompute(node);
        Recompute(right);
        RefreshUp(parent);
    }

    /// <summary>Move everything of <paramref name="right"/> (child index + 1) into <paramref name="left"/> (child index).</summary>
    private void Merge(Internal parent, int index, Node left, Node right)
    {
        CountMerge();
        if (left is Leaf into)
        {
            var from = (Leaf)right;
            int moving = _mergeDropsKey && from.Count > 0 ? from.Count - 1 : from.Count;
            Count -= from.Count - moving;
            for (int i = 0; i < moving; i++)
            {
                into.Entries[into.Count++] = from.Entries[i];
                from.Entries[i].Leaf = into;
                Moved++;
            }
            into.Next = from.Next;
            if (from.Next is not null)
                from.Next.Prev = into;
        }
        else
        {
            var inner = (Internal)left;
            var from = (Internal)right;
            for (int i = 0; i < from.Count; i++)
            {
                inner.Children[inner.Count] = from.Children[i];
                inner.Keys[inner.Count] = i == 0 ? parent.Keys[index + 1] : from.Keys[i];
                inner.Children[inner.Count].Parent = inner;
                inner.Count++;
                Moved++;
            }
        }
        for (int i = index + 1; i < parent.Count - 1; i++)
        {
            parent.Children[i] = parent.Children[i + 1];
            parent.Keys[i] = parent.Keys[i + 1];
        }
        parent.Children[--parent.Count] = null!;
        Recompute(left);
    }

    private static int IndexOfChild(Internal parent, Node child)
    {
        for (int i = 0; i < parent.Count; i++)
        {
            if (ReferenceEquals(parent.Children[i], child))
                return i;
        }
        throw new InvalidOperationException("btree: node is not among its parent's children");
    }

    private static ulong FreeMaxOf(Node node)
    {
        ulong max = 0;
        if (node is Leaf leaf)
        {
            for (int i = 0; i < leaf.Count; i++)
                max = Math.Max(max, leaf.Entries[i].FreeSpace);
        }
        else
        {
            var inner = (Internal)node;
            for (int i = 0; i < inner.Count; i++)
                max = Math.Max(max, inner.Children[i].FreeMax);
        }
        return max;
    }

    private static void Recompute(Node node) => node.FreeMax = FreeMaxOf(node);

    /// <summary>The augmented free space of <paramref name="node"/> and every node above it.</summary>
    private void RefreshUp(Node? node)
    {
        while (node is not null)
        {
            Visited++;
            node.FreeMax = FreeMaxOf(node);
            node = node.Parent;
        }
    }

    public string? Check()
    {
        int leafDepth = -1;
        int count = 0;
        Leaf? previous = null;
        string? error = null;
        CheckNode(_root, 1, null, null, ref leafDepth, ref count, ref previous, ref error);
        if (error is not null)
            return error;
        if (previous?.Next is not null)
            return "btree: the leaf chain goes past the last leaf";
        if (!ReferenceEquals(_first, FirstLeaf()))
            return "btree: the first leaf is not the leftmost";
        return count == Count ? null : $"btree: {count} entries in leaves, count says {Count}";
    }

    private Leaf FirstLeaf()
    {
        var node = _root;
        while (node is Internal inner)
            node = inner.Children[0];
        return (Leaf)node;
    }

    private void CheckNode(
        Node node,
        int depth,
        ulong? low,
        ulong? high,
        ref int leafDepth,
        ref int count,
        ref Leaf? previous,
        ref string? error
    )
    {
        if (error is not null)
            return;
        bool isRoot = node.Parent is null;
        int capacity = node is Leaf ? _leafCapacity : _fanout;
        if (
            node.Count > capacity
            || (!isRoot && node.Count < MinFill(node))
            || (isRoot && node is Internal && node.Count < 2)
        )
        {
            error = $"btree: a node at depth {depth} holds {node.Count} (capacity {capacity}, minimum {MinFill(node)})";
            return;
        }
        if (node.FreeMax != FreeMaxOf(node))
        {
            error =
                $"btree: a node at depth {depth} has free-space maximum 0x{node.FreeMax:x}, should be 0x{FreeMaxOf(node):x}";
            return;
        }
        if (node is Leaf leaf)
        {
            if (leafDepth < 0)
                leafDepth = depth;
            else if (leafDepth != depth)
            {
                error = $"btree: leaves at depths {leafDepth} and {depth}";
                return;
            }
            if (
                !ReferenceEquals(leaf.Prev, previous) || (previous is not null && !ReferenceEquals(previous.Next, leaf))
            )
            {
                error = "btree: the leaf chain is broken";
                return;
            }
            previous = leaf;
            count += leaf.Count;
            for (int i = 0; i < leaf.Count; i++)
            {
                var e = leaf.Entries[i];
                if (!ReferenceEquals(e.Leaf, leaf))
                    error ??= $"btree: entry 0x{e.Start:x} does not point at its leaf";
                if (i > 0 && leaf.Entries[i - 1].Start >= e.Start)
                    error ??= $"btree: entries 0x{leaf.Entries[i - 1].Start:x} and 0x{e.Start:x} out of order";
                if ((low is { } lo && e.Start < lo) || (high is { } hi && e.Start >= hi))
                    error ??= $"btree: entry 0x{e.Start:x} is outside its separators";
            }
            return;
        }
        var inner = (Internal)node;
        for (int i = 0; i < inner.Count; i++)
        {
            if (!ReferenceEquals(inner.Children[i].Parent, inner))
            {
                error = $"btree: a child at depth {depth + 1} does not point at its parent";
                return;
            }
            if (i > 1 && inner.Keys[i - 1] >= inner.Keys[i])
            {
                error = $"btree: separators 0x{inner.Keys[i - 1]:x} and 0x{inner.Keys[i]:x} out of order";
                return;
            }
            ulong? childLow = i == 0 ? low : inner.Keys[i];
            ulong? childHigh = i + 1 < inner.Count ? inner.Keys[i + 1] : high;
            CheckNode(
                inner.Children[i],
                depth + 1,
                childLow,
                childHigh,
                ref leafDepth,
                ref count,
                ref previous,
                ref error
            );
        }
    }
}
