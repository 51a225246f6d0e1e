// uvm_page.c / sys/tree.h: RBT(uvm_objtree, vm_page, objt, uvm_pagecmp): the per-object page tree.
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Implementations.Objects;

/// <summary>
/// struct vm_page's objt entry. Owned by its page, not by a tree, so a page that is freed and
/// reallocated relinks the same node instead of allocating one per insert.
/// => at most one per page, created on the page's first insert
/// => <see cref="InTree"/> is true exactly while the node is linked into some tree
/// </summary>
public sealed class RbNode(VmPage page) : ObjTreeLink
{
    public readonly VmPage Page = page;
    public RbNode? Left;
    public RbNode? Right;
    public RbNode? Parent;
    public bool Red;
    public bool InTree;
}

/// <summary>
/// A hand-written red-black tree keyed by page offset, linked through each page's <see cref="RbNode"/>,
/// so ordered walks (NFIND then NEXT) cost what the kernel's do instead of one lookup per offset.
/// => <see cref="PageIndex.NodesVisited"/> counts the nodes a search descends through or a walk
///    steps onto; rebalancing is not counted
/// => a page is in at most one tree at a time
/// </summary>
public sealed class RbPageTree : PageIndex
{
    private RbNode? _root;
    private int _count;

    /// <summary>The explicit stack of <see cref="Validate"/> and <see cref="Clear"/>, kept between calls.</summary>
    private readonly Stack<(RbNode Node, int Blacks)> _walk = new();

    public override int Count => _count;

    /// <summary>RBT_FIND.</summary>
    public override VmPage? Lookup(long offset)
    {
        var node = _root;
        while (node != null)
        {
            NodesVisited++;
            long key = node.Page.Offset;
            if (offset < key)
                node = node.Left;
            else if (offset > key)
                node = node.Right;
            else
                return node.Page;
        }
        return null;
    }

    /// <summary>
    /// RBT_NFIND: the lower bound a range walk starts from.
    /// => the page with the smallest offset &gt;= <paramref name="offset"/>, or null
    /// </summary>
    public VmPage? NFind(long offset)
    {
        var node = _root;
        RbNode? best = null;
        while (node != null)
        {
            NodesVisited++;
            long key = node.Page.Offset;
            if (offset < key)
            {
                best = node;
                node = node.Left;
            }
            else if (offset > key)
            {
                node = node.Right;
            }
            else
            {
                return node.Page;
            }
        }
        return best?.Page;
    }

    /// <summary>
    /// RBT_NEXT: the in-order successor through parent links, so a range walk needs no stack.
    /// => null after the last page
    /// => null for a page whose node is not in a tree: RBT_NEXT on a removed node reads cleared
    ///    links: the walk ends
    /// </summary>
    public VmPage? Next(VmPage page)
    {
        if (page.TreeLink is not RbNode { InTree: true } node)
            return null;
        NodesVisited++;
        if (node.Right != null)
        {
            node = node.Right;
            NodesVisited++;
            while (node.Left != null)
            {
                node = node.Left;
                NodesVisited++;
            }
            return node.Page;
        }
        while (true)
        {
            var parent = node.Parent;
            if (parent == null)
                return null;
            NodesVisited++;
            if (node == parent.Left)
                return parent.Page;
            node = parent;
        }
    }

    /// <summary>
    /// RBT_INSERT.
    /// => returns the page already at that offset and links nothing, or links the page and returns null
    /// => the page's node is reused if it has one; a page whose node is still linked panics
    /// </summary>
    public override VmPage? Insert(VmPage page)
    {
        long offset = page.Offset;
        RbNode? parent = null;
        var cursor = _root;
        bool goLeft = false;
        while (cursor != null)
        {
            NodesVisited++;
            parent = cursor;
            long key = cursor.Page.Offset;
            if (offset < key)
            {
                cursor = cursor.Left;
                goLeft = true;
            }
            else if (offset > key)
            {
                cursor = cursor.Right;
                goLeft = false;
            }
            else
            {
                return cursor.Page;
            }
        }

        if ((page.TreeLink ??= new RbNode(page)) is not RbNode node || node.Page != page || node.InTree)
            throw K.Panic("RBT_INSERT: page's objt link already in use");

        node.Left = null;
        node.Right = null;
        node.Parent = parent;
        node.Red = true;
        node.InTree = true;
        if (parent == null)
            _root = node;
        else if (goLeft)
            parent.Left = node;
        else
            parent.Right = node;
        _count++;
        InsertFixup(node);
        return null;
    }

    /// <summary>
    /// RBT_REMOVE.
    /// => the page must be in this tree, else panic (the walk to the root that checks this is not counted)
    /// => afterwards the node's links are cleared and <see cref="RbNode.InTree"/> is false
    /// </summary>
    public override void Remove(VmPage page)
    {
        if (page.TreeLink is not RbNode { InTree: true } z || !IsInThisTree(z))
            throw K.Panic("RBT_REMOVE: page not in uvm_objtree");

        NodesVisited++;
        bool removedBlack;
        RbNode? x;
        RbNode? xParent;
        if (z.Left == null)
        {
            removedBlack = !z.Red;
            x = z.Right;
            xParent = z.Parent;
            Transplant(z, z.Right);
        }
        else if (z.Right == null)
        {
            removedBlack = !z.Red;
            x = z.Left;
            xParent = z.Parent;
            Transplant(z, z.Left);
        }
        else
        {
            var y = z.Right;
            NodesVisited++;
            while (y.Left != null)
            {
                y = y.Left;
                NodesVisited++;
            }
            removedBlack = !y.Red;
            x = y.Right;
            if (y.Parent == z)
            {
                xParent = y;
            }
            else
            {
                xParent = y.Parent;
                Transplant(y, y.Right);
                y.Right = z.Right;
                y.Right.Parent = y;
            }
            Transplant(z, y);
            y.Left = z.Left;
            y.Left.Parent = y;
            y.Red = z.Red;
        }
        if (removedBlack)
            RemoveFixup(x, xParent);

        z.Left = null;
        z.Right = null;
        z.Parent = null;
        z.Red = false;
        z.InTree = false;
        _count--;
    }

    /// <summary>Iterative in-order walk; an explicit stack, so a corrupt tree cannot recurse deeply.</summary>
    public override void CollectInOrder(List<VmPage> into)
    {
        var stack = new Stack<RbNode>();
        var node = _root;
        while (node != null || stack.Count > 0)
        {
            while (node != null)
            {
                stack.Push(node);
                node = node.Left;
            }
            node = stack.Pop();
            into.Add(node.Page);
            node = node.Right;
        }
    }

    /// <summary>
    /// The red-black and linkage rules, checked in one bounded walk so that a cycle reports
    /// instead of hanging.
    /// => null, or the first violation found
    /// </summary>
    public override string? Validate()
    {
        if (_root == null)
            return _count == 0 ? null : $"rb tree: empty but Count is {_count}";
        if (_root.Red)
            return $"rb tree: root {_root.Page} is red";
        if (_root.Parent != null)
            return $"rb tree: root {_root.Page} has parent {_root.Parent.Page}";

        var stack = _walk;
        stack.Clear();
        var node = _root;
        int blacksAbove = 0;
        int pathBlacks = -1;
        int seen = 0;
        RbNode? previous = null;
        while (node != null || stack.Count > 0)
        {
            while (node != null)
            {
                if (++seen > _count)
                    return $"rb tree: more than Count={_count} nodes reachable (cycle or stale Count)";
                if (NodeViolation(node) is { } violation)
                    return violation;
                int blacks = blacksAbove + (node.Red ? 0 : 1);
                if (node.Left == null || node.Right == null)
                {
                    if (pathBlacks < 0)
                        pathBlacks = blacks;
                    else if (blacks != pathBlacks)
                        return $"rb tree: path to a leaf under {node.Page} has {blacks} black nodes, another has {pathBlacks}";
                }
                stack.Push((node, blacks));
                blacksAbove = blacks;
                node = node.Left;
            }
            (node, blacksAbove) = stack.Pop();
            if (previous != null && previous.Page.Offset >= node.Page.Offset)
                return $"rb tree: offsets out of order: 0x{previous.Page.Offset:x} then 0x{node.Page.Offset:x}";
            previous = node;
            node = node.Right;
        }
        return seen == _count ? null : $"rb tree: {seen} nodes reachable but Count is {_count}";
    }

    /// <summary>Unlink every node (a machine being reset): the nodes stay with their pages for reuse.</summary>
    public override void Clear()
    {
        _walk.Clear();
        if (_root != null)
            _walk.Push((_root, 0));
        while (_walk.Count > 0)
        {
            var (node, _) = _walk.Pop();
            if (node.Left != null)
                _walk.Push((node.Left, 0));
            if (node.Right != null)
                _walk.Push((node.Right, 0));
            node.Left = node.Right = node.Parent = null;
            node.Red = false;
            node.InTree = false;
        }
        _root = null;
        _count = 0;
    }

    private static string? NodeViolation(RbNode node)
    {
        if (node.Red && (node.Left is { Red: true } || node.Right is { Red: true }))
            return $"rb tree: red node {node.Page} has a red child";
        if (node.Left != null && node.Left.Parent != node)
            return $"rb tree: left child {node.Left.Page} of {node.Page} has a different parent";
        if (node.Right != null && node.Right.Parent != node)
            return $"rb tree: right child {node.Right.Page} of {node.Page} has a different parent";
        if (node.Page.TreeLink != node)
            return $"rb tree: {node.Page}'s TreeLink is not its node";
        if (!node.InTree)
            return $"rb tree: linked node {node.Page} is not marked InTree";
        return null;
    }

    private bool IsInThisTree(RbNode node)
    {
        while (node.Parent != null)
            node = node.Parent;
        return node == _root;
    }

    private void InsertFixup(RbNode z)
    {
        while (z.Parent is { Red: true } parent)
        {
            var grand = parent.Parent!;
            if (parent == grand.Left)
            {
                var uncle = grand.Right;
                if (uncle is { Red: true })
                {
                    parent.Red = false;
                    uncle.Red = false;
                    grand.Red = true;
                    z = grand;
                    continue;
                }
                if (z == parent.Right)
                {
                    z = parent;
                    RotateLeft(z);
                    parent = z.Parent!;
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
                    parent.Red = false;
                    uncle.Red = false;
                    grand.Red = true;
                    z = grand;
                    continue;
                }
                if (z == parent.Left)
                {
                    z = parent;
                    RotateRight(z);
                    parent = z.Parent!;
                }
                parent.Red = false;
                grand.Red = true;
                RotateLeft(grand);
            }
        }
        _root!.Red = false;
    }

    /// <summary>
    /// Restores the black count after a black node left. <paramref name="x"/> may be null (a leaf),
    /// which is why its parent travels separately.
    /// </summary>
    private void RemoveFixup(RbNode? x, RbNode? parent)
    {
        while (x != _root && x is not { Red: true })
        {
            var p = parent!;
            if (x == p.Left)
            {
                var w = p.Right!;
                if (w.Red)
                {
                    w.Red = false;
                    p.Red = true;
                    RotateLeft(p);
                    w = p.Right!;
                }
                if (w.Left is not { Red: true } && w.Right is not { Red: true })
                {
                    w.Red = true;
                    x = p;
                    parent = p.Parent;
                    continue;
                }
                if (w.Right is not { Red: true })
                {
                    w.Left!.Red = false;
                    w.Red = true;
                    RotateRight(w);
                    w = p.Right!;
                }
                w.Red = p.Red;
                p.Red = false;
                w.Right!.Red = false;
                RotateLeft(p);
            }
            else
            {
                var w = p.Left!;
                if (w.Red)
                {
                    w.Red = false;
                    p.Red = true;
                    RotateRight(p);
                    w = p.Left!;
                }
                if (w.Left is not { Red: true } && w.Right is not { Red: true })
                {
                    w.Red = true;
                    x = p;
                    parent = p.Parent;
                    continue;
                }
                if (w.Left is not { Red: true })
                {
                    w.Right!.Red = false;
                    w.Red = true;
                    RotateLeft(w);
                    w = p.Left!;
                }
                w.Red = p.Red;
                p.Red = false;
                w.Left!.Red = false;
                RotateRight(p);
            }
            x = _root;
        }
        if (x != null)
            x.Red = false;
    }

    /// <summary>Puts <paramref name="v"/> where <paramref name="u"/> hangs; u's own links are left alone.</summary>
    private void Transplant(RbNode u, RbNode? v)
    {
        var parent = u.Parent;
        if (parent == null)
            _root = v;
        else if (u == parent.Left)
            parent.Left = v;
        else
            parent.Right = v;
        if (v != null)
            v.Parent = parent;
    }

    private void RotateLeft(RbNode x)
    {
        var y = x.Right!;
        x.Right = y.Left;
        if (y.Left != null)
            y.Left.Parent = x;
        y.Parent = x.Parent;
        if (x.Parent == null)
            _root = y;
        else if (x == x.Parent.Left)
            x.Parent.Left = y;
        else
            x.Parent.Right = y;
        y.Left = x;
        x.Parent = y;
    }

    private void RotateRight(RbNode x)
    {
        var y = x.Left!;
        x.Left = y.Right;
        if (y.Right != null)
            y.Right.Parent = x;
        y.Parent = x.Parent;
        if (x.Parent == null)
            _root = y;
        else if (x == x.Parent.Right)
            x.Parent.Right = y;
        else
            x.Parent.Left = y;
        y.Right = x;
        x.Parent = y;
    }
}
