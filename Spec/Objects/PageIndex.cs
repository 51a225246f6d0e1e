using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Objects;

/// <summary>
/// uvm_object.h: memt, the set of resident pages of one object keyed by offset, with no duplicates.
/// The reference keeps a plain map; implementations keep the kernel's red-black tree.
/// </summary>
public abstract class PageIndex
{
    /// <summary>Work counter: index nodes (or hash probes) visited, never part of an observation.</summary>
    public long NodesVisited;

    /// <summary>uvm_pagelookup: the page at exactly <paramref name="offset"/>, or null.</summary>
    public abstract VmPage? Lookup(long offset);

    /// <summary>
    /// uvm_pageinsert's RBT_INSERT.
    /// => returns the page already at that offset (the insert did nothing), or null
    /// </summary>
    public abstract VmPage? Insert(VmPage page);

    /// <summary>uvm_pageremove's RBT_REMOVE. => the page must be in this index</summary>
    public abstract void Remove(VmPage page);

    public abstract int Count { get; }

    /// <summary>Appends every page in ascending offset order (observations and invariants only).</summary>
    public abstract void CollectInOrder(List<VmPage> into);

    /// <summary>Forget every page (a machine being reset); the pages themselves are reset by the machine.</summary>
    public abstract void Clear();

    /// <summary>Structural invariants of the index itself; null when they hold, else the first violation.</summary>
    public abstract string? Validate();
}

/// <summary>The reference index: a hash map from offset to page. Obviously correct, no order.</summary>
public sealed class HashPageIndex : PageIndex
{
    private readonly Dictionary<long, VmPage> _pages = [];

    public override VmPage? Lookup(long offset)
    {
        NodesVisited++;
        return _pages.GetValueOrDefault(offset);
    }

    public override VmPage? Insert(VmPage page)
    {
        NodesVisited++;
        if (_pages.TryGetValue(page.Offset, out var existing))
            return existing;
        _pages.Add(page.Offset, page);
        return null;
    }

    public override void Remove(VmPage page)
    {
        NodesVisited++;
        if (!_pages.TryGetValue(page.Offset, out var present) || present != page)
            throw Kernel.K.Panic("RBT_REMOVE: page not in uvm_objtree");
        _pages.Remove(page.Offset);
    }

    public override int Count => _pages.Count;

    public override void CollectInOrder(List<VmPage> into)
    {
        int from = into.Count;
        into.AddRange(_pages.Values);
        into.Sort(from, into.Count - from, PageOffsetOrder.Instance);
    }

    public override void Clear() => _pages.Clear();

    public override string? Validate()
    {
        foreach (var (offset, page) in _pages)
        {
            if (page.Offset != offset)
                return $"hash index: page keyed at 0x{offset:x} has offset 0x{page.Offset:x}";
        }
        return null;
    }
}

public sealed class PageOffsetOrder : IComparer<VmPage>
{
    public static readonly PageOffsetOrder Instance = new();

    public int Compare(VmPage? x, VmPage? y) => x!.Offset.CompareTo(y!.Offset);
}
