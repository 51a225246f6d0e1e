namespace UvmDiff.Implementations.Map;

/// <summary>
/// The map entries in a red-black tree keyed by start address, as OpenBSD's RBT(uvm_map_addr) keeps
/// them, with fspace_augment (the largest free space in each subtree) maintained the way
/// uvm_map_addr_augment does: after every insertion, removal, rotation and free-space change, up the
/// path to the root. Lookup and first-fit placement are O(log n).
/// </summary>
public sealed class RbTreeIndex : IEntryIndex
{
    private VmEntry? _root;

    public string Name => "rbtree";

    public int Count { get; private set; }

    public long Visited { get; set; }

    public long Moved => 0;

    public int Depth => Height(_root);

    /// <summary>Set by the StaleFreeAugment fault: free-space changes do not reach the augmented values.</summary>
    public bool SkipAugmentOnFreeChange { get; set; }

    public void Clear()
    {
        _root = null;
        Count = 0;
    }

    public VmEntry? First => _root is null ? null : Min(_root);

    public VmEntry? Last
    {
        get
        {
            var node = _root;
            while (node?.Right is not null)
                node = node.Right;
            return node;
        }
    }

    public VmEntry? ByAddr(ulong addr)
    {
        var node = _root;
        while (node is not null)
        {
            Visited++;
            if (node.Start > addr)
                node = node.Left;
            else if (node.FreeEnd <= addr)
                node = node.Right;
            else
                return node;
        }
        return null;
    }

    public VmEntry? Next(VmEntry entry)
    {
        if (entry.Right is not null)
            return Min(entry.Right);
        var node = entry;
        var parent = node.Parent;
        while (parent is not null && node == parent.Right)
        {
            Visited++;
            node = parent;
            parent = parent.Parent;
        }
        return parent;
    }

    public VmEntry? Prev(VmEntry entry)
    {
        if (entry.Left is not null)
        {
            var node = entry.Left;
            while (node.Right is not null)
            {
                Visited++;
                node = node.Right;
            }
            return node;
        }
        var child = entry;
        var parent = child.Parent;
        while (parent is not null && child == parent.Left)
        {
            Visited++;
            child = parent;
            parent = parent.Parent;
        }
        return parent;
    }

    public VmEntry? FirstFit(ulong size)
    {
        var node = _root;
        if (node is null || node.FreeAugment < size)
            return null;
        while (node is not null)
        {
            Visited++;
            if (node.Left is not null && node.Left.FreeAugment >= size)
                node = node.Left;
            else if (node.FreeSpace >= size)
                return node;
            else
                node = node.Right;
        }
        return null;
    }

    public void FreeSpaceChanged(VmEntry entry)
    {
        if (!SkipAugmentOnFreeChange)
            AugmentUp(entry);
    }

    public void Insert(VmEntry entry)
    {
        entry.Left = entry.Right = entry.Parent = null;
        entry.Red = true;
        entry.FreeAugment = entry.FreeSpace;
        VmEntry? parent = null;
        var node = _root;
        while (node is not null)
        {
            Visited++;
            parent = node;
            node = entry.Start < node.Start ? node.Left : node.Right;
        }
        entry.Parent = parent;
        if (parent is null)
            _root = entry;
        else if (entry.Start < parent.Start)
            parent.Left = entry;
        else
            parent.Right = entry;
        Count++;
        AugmentUp(entry);
        InsertFixup(entry);
    }

    private void InsertFixup(VmEntry node)
    {
        while (node.Parent is { Red: true } parent)
        {
            var grand = parent.Parent!;
            if (parent == grand.Left)
            {
                var uncle = grand.Right;
                if (uncle is { Red: true })
                {
                    parent.Red = uncle.Red = false;
                    grand.Red = true;
                    node = grand;
                    continue;
                }
                if (node == parent.Right)
                {
                    node = parent;
                    RotateLeft(node);
                    parent = node.Parent!;
                }
                parent.Red = false;
                grand.Red = true;
                RotateRight(grand);
            }
            else
            {
                var uncle = grand.Left;
                if (uncle is { Red: true })
                {
                    parent.Red = uncle.Red = false;
                    grand.Red = true;
                    node = grand;
                    continue;
                }
                if (node == parent.Left)
                {
                    node = parent;
                    RotateRight(node);
                    parent = node.Parent!;
                }
                parent.Red = false;
                grand.Red = true;
                RotateLeft(grand);
            }
        }
        _root!.Red = false;
    }

    public void Remove(VmEntry z)
    {
        VmEntry? x;
        VmEntry? xParent;
        bool removedRed;
        if (z.Left is null || z.Right is null)
        {
            x = z.Left ?? z.Right;
            xParent = z.Parent;
            removedRed = z.Red;
            Transplant(z, x);
        }
        else
        {
            var y = Min(z.Right);
            removedRed = y.Red;
            x = y.Right;
            if (y.Parent == z)
                xParent = y;
            else
            {
                xParent = y.Parent;
                Transplant(y, y.Right);
                y.Right = z.Right;
                y.Right.Parent = y;
            }
            Transplant(z, y);
            y.Left = z.Left;
            y.Left!.Parent = y;
            y.Red = z.Red;
        }
        z.Left = z.Right = z.Parent = null;
        Count--;
        if (xParent is not null)
            AugmentUp(xParent);
        if (!removedRed)
            RemoveFixup(x, xParent);
    }

    private void RemoveFixup(VmEntry? x, VmEntry? parent)
    {
        while (x != _root && (x is null || !x.Red))
        {
            if (parent is null)
                break;
            if (x == parent.Left)
            {
                var w = parent.Right!;
                if (w.Red)
                {
                    w.Red = false;
                    parent.Red = true;
                    RotateLeft(parent);
                    w = parent.Right!;
                }
                if ((w.Left is null || !w.Left.Red) && (w.Right is null || !w.Right.Red))
                {
                    w.Red = true;
                    x = parent;
                    parent = x.Parent;
                }
                else
                {
                    if (w.Right is null || !w.Right.Red)
                    {
                        w.Left!.Red = false;
                        w.Red = true;
                        RotateRight(w);
                        w = parent.Right!;
                    }
                    w.Red = parent.Red;
                    parent.Red = false;
                    if (w.Right is not null)
                        w.Right.Red = false;
                    RotateLeft(parent);
                    x = _root;
                    parent = null;
                }
            }
            else
            {
                var w = parent.Left!;
                if (w.Red)
                {
                    w.Red = false;
                    parent.Red = true;
                    RotateRight(parent);
                    w = parent.Left!;
                }
                if ((w.Right is null || !w.Right.Red) && (w.Left is null || !w.Left.Red))
                {
                    w.Red = true;
                    x = parent;
                    parent = x.Parent;
                }
                else
                {
                    if (w.Left is null || !w.Left.Red)
                    {
                        w.Right!.Red = false;
                        w.Red = true;
                        RotateLeft(w);
                        w = parent.Left!;
                    }
                    w.Red = parent.Red;
                    parent.Red = false;
                    if (w.Left is not null)
                        w.Left.Red = false;
                    RotateRight(parent);
                    x = _root;
                    parent = null;
                }
            }
        }
        if (x is not null)
            x.Red = false;
    }

    private void Transplant(VmEntry u, VmEntry? v)
    {
        if (u.Parent is null)
            _root = v;
        else if (u == u.Parent.Left)
            u.Parent.Left = v;
        else
            u.Parent.Right = v;
        if (v is not null)
            v.Parent = u.Parent;
    }

    private void RotateLeft(VmEntry x)
    {
        var y = x.Right!;
        x.Right = y.Left;
        if (y.Left is not null)
            y.Left.Parent = x;
        y.Parent = x.Parent;
        if (x.Parent is null)
            _root = y;
        else if (x == x.Parent.Left)
            x.Parent.Left = y;
        else
            x.Parent.Right = y;
        y.Left = x;
        x.Parent = y;
        x.FreeAugment = AugmentOf(x);
        y.FreeAugment = AugmentOf(y);
    }

    private void RotateRight(VmEntry x)
    {
        var y = x.Left!;
        x.Left = y.Right;
        if (y.Right is not null)
            y.Right.Parent = x;
        y.Parent = x.Parent;
        if (x.Parent is null)
            _root = y;
        else if (x == x.Parent.Right)
            x.Parent.Right = y;
        else
            x.Parent.Left = y;
        y.Right = x;
        x.Parent = y;
        x.FreeAugment = AugmentOf(x);
        y.FreeAugment = AugmentOf(y);
    }

    private static ulong AugmentOf(VmEntry node)
    {
        ulong augment = node.FreeSpace;
        if (node.Left is not null && node.Left.FreeAugment > augment)
            augment = node.Left.FreeAugment;
        if (node.Right is not null && node.Right.FreeAugment > augment)
            augment = node.Right.FreeAugment;
        return augment;
    }

    /// <summary>uvm_map_addr_augment: recompute up the path to the root.</summary>
    private void AugmentUp(VmEntry? node)
    {
        while (node is not null)
        {
            Visited++;
            node.FreeAugment = AugmentOf(node);
            node = node.Parent;
        }
    }

    private VmEntry Min(VmEntry node)
    {
        while (node.Left is not null)
        {
            Visited++;
            node = node.Left;
        }
        return node;
    }

    private static int Height(VmEntry? node) => node is null ? 0 : 1 + Math.Max(Height(node.Left), Height(node.Right));

    public string? Check()
    {
        if (_root is null)
            return Count == 0 ? null : $"rbtree: empty root but count {Count}";
        if (_root.Red)
            return "rbtree: the root is red";
        if (_root.Parent is not null)
            return "rbtree: the root has a parent";
        int count = 0;
        string? error = null;
        CheckNode(_root, null, ulong.MaxValue, ref count, ref error);
        if (error is not null)
            return error;
        return count == Count ? null : $"rbtree: {count} nodes, count says {Count}";
    }

    /// <summary>Black height of the subtree, or -1 after recording the first violation.</summary>
    private static int CheckNode(VmEntry? node, ulong? low, ulong high, ref int count, ref string? error)
    {
        if (node is null || error is not null)
            return 1;
        count++;
        if ((low is { } lo && node.Start <= lo) || node.Start >= high)
        {
            error ??= $"rbtree: entry 0x{node.Start:x} out of key order";
            return -1;
        }
        if (node.Red && (node.Left is { Red: true } || node.Right is { Red: true }))
            error ??= $"rbtree: red entry 0x{node.Start:x} has a red child";
        if (node.Left is not null && node.Left.Parent != node || node.Right is not null && node.Right.Parent != node)
            error ??= $"rbtree: entry 0x{node.Start:x} has a child whose parent link is wrong";
        if (node.FreeAugment != AugmentOf(node))
            error ??=
                $"rbtree: entry 0x{node.Start:x} has fspace_augment 0x{node.FreeAugment:x}, should be 0x{AugmentOf(node):x}";
        int left = CheckNode(node.Left, low, node.Start, ref count, ref error);
        int right = CheckNode(node.Right, node.Start, high, ref count, ref error);
        if (left != right && error is null)
            error = $"rbtree: black heights {left} and {right} differ under entry 0x{node.Start:x}";
        return left + (node.Red ? 0 : 1);
    }
}
