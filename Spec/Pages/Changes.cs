using UvmDiff.Spec.Objects;

namespace UvmDiff.Spec.Pages;

/// <summary>
/// What an operation changed in one machine: the pages whose observed fields or queue links were
/// written, the objects whose page sets changed, and the swap slots and file blocks written. Not a
/// kernel structure: it lets a fingerprint and the invariants be brought up to date in the time the
/// operation took instead of a walk over the whole machine. Setters record themselves here, so no
/// routine has to remember to.
/// => each page, object, slot or block is listed once until <see cref="Clear"/>
/// </summary>
public sealed class Changes
{
    /// <summary>
    /// How many changes were ever listed, repeats included; never goes back, not even at <see cref="Clear"/>:
    /// whatever was computed from the pages, objects, slots and blocks at one count holds while it stays.
    /// </summary>
    public long Count { get; private set; }

    public readonly List<VmPage> Pages = [];
    public readonly List<UvmObject> Objects = [];
    public readonly List<(AnonObject Aobj, int PageIndex)> Slots = [];
    public readonly List<(VnodeObject Vnode, int Block)> Blocks = [];

    public void Page(VmPage pg)
    {
        Count++;
        if (pg.Changed)
            return;
        pg.Changed = true;
        Pages.Add(pg);
    }

    public void Object(UvmObject? obj)
    {
        Count++;
        if (obj is null || obj.Changed)
            return;
        obj.Changed = true;
        Objects.Add(obj);
    }

    public void Slot(AnonObject aobj, int pageIndex)
    {
        Count++;
        Slots.Add((aobj, pageIndex));
    }

    public void Block(VnodeObject vn, int block)
    {
        Count++;
        Blocks.Add((vn, block));
    }

    public void Clear()
    {
        if (Pages.Count + Objects.Count + Slots.Count + Blocks.Count == 0)
            return;
        for (int i = 0; i < Pages.Count; i++)
            Pages[i].Changed = false;
        for (int i = 0; i < Objects.Count; i++)
            Objects[i].Changed = false;
        Pages.Clear();
        Objects.Clear();
        Slots.Clear();
        Blocks.Clear();
    }
}
