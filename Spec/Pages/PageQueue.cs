namespace UvmDiff.Spec.Pages;

/// <summary>uvm_pdaemon.h: a TAILQ of pages (the active or the inactive queue), linked through pageq.</summary>
public sealed class PageQueue(string name, PgFlags flag)
{
    public readonly string Name = name;

    /// <summary>The PQ_ flag that marks membership of this queue.</summary>
    public readonly PgFlags Flag = flag;

    public VmPage? Head;
    public VmPage? Tail;
    public int Length;

    /// <summary>Forget every page (a machine being reset); the pages themselves are reset by the machine.</summary>
    public void Clear()
    {
        Head = Tail = null;
        Length = 0;
    }

    public void InsertTail(VmPage page)
    {
        page.QueuePrev = Tail;
        page.QueueNext = null;
        if (Tail is null)
            Head = page;
        else
            Tail.QueueNext = page;
        Tail = page;
        page.Flags |= Flag;
        Length++;
    }

    public void Remove(VmPage page)
    {
        if (page.QueuePrev is null)
            Head = page.QueueNext;
        else
            page.QueuePrev.QueueNext = page.QueueNext;
        if (page.QueueNext is null)
            Tail = page.QueuePrev;
        else
            page.QueueNext.QueuePrev = page.QueuePrev;
        page.QueuePrev = page.QueueNext = null;
        page.Flags &= ~Flag;
        Length--;
    }
}
