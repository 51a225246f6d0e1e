using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec;

/// <summary>
/// uvm.h: struct uvm and uvmexp for one simulated machine: physical pages, the page queues and
/// their lock, swap, the objects, and the sleep hook through which other threads act.
/// </summary>
public sealed class Uvm
{
    /// <summary>Sleeps one operation may take before the simulation calls it a hang.</summary>
    public const int MaxSleepsPerOp = 256;

    public readonly UvmExp Exp = new();

    /// <summary>What the operation in progress changed (for fingerprints and invariants, not the kernel).</summary>
    public readonly Changes Changes = new();

    public readonly PageQueue Active = new("active", PgFlags.QueueActive);
    public readonly PageQueue Inactive = new("inactive", PgFlags.QueueInactive);
    public readonly SwapSpace Swap;
    public readonly VmPage[] Frames;
    public readonly List<UvmObject> Objects = [];

    /// <summary>uvm.pageqlock, as a held bit: a second acquisition is the kernel's recursion panic.</summary>
    public bool PageqLocked;

    public ISleepHook? SleepHook;

    /// <summary>Sleeps taken by the operation in progress; reset by <see cref="BeginOperation"/>.</summary>
    public int SleepsThisOp;

    /// <summary>Source of page contents: every write stores a new value.</summary>
    public long WriteCounter;

    /// <summary>The free page cache: a LIFO stack, so a freed page is the next one handed out.</summary>
    private readonly VmPage[] _freeStack;
    private int _freeTop;

    public Uvm(int frames, int swapSlots)
    {
        Frames = new VmPage[frames];
        _freeStack = new VmPage[frames];
        for (int i = 0; i < frames; i++)
            Frames[i] = new VmPage(i, Changes);
        Swap = new SwapSpace(Exp, swapSlots);
        Reset();
    }

    public T Add<T>(T obj)
        where T : UvmObject
    {
        obj.Changes = Changes;
        Objects.Add(obj);
        return obj;
    }

    /// <summary>
    /// Back to the machine as it was built, with the same objects: every page free and handed out in
    /// the same order as on a new machine, counters, queues, swap and locks cleared. A campaign resets
    /// one machine per sequence instead of building a new one.
    /// </summary>
    public void Reset()
    {
        foreach (var obj in Objects)
        {
            obj.Pages.Clear();
            obj.Reset();
        }
        foreach (var pg in Frames)
            pg.ResetToFree();
        _freeTop = 0;
        for (int i = Frames.Length - 1; i >= 0; i--)
            _freeStack[_freeTop++] = Frames[i];
        Active.Clear();
        Inactive.Clear();
        Exp.Reset(Frames.Length);
        Swap.Reset();
        PageqLocked = false;
        SleepHook = null;
        SleepsThisOp = 0;
        WriteCounter = 0;
        Changes.Clear();
    }

    public UvmObject? FindObject(int id)
    {
        foreach (var obj in Objects)
        {
            if (obj.Id == id)
                return obj;
        }
        return null;
    }

    public void BeginOperation() => SleepsThisOp = 0;

    public VmPage? TakeFreePage() => _freeTop == 0 ? null : _freeStack[--_freeTop];

    /// <summary>
    /// Moves a free page to the top of the free cache, so that the next uvm_pagealloc takes it. The whole
    /// kernel chooses its frames itself (lowest free first, one rule for anons and object pages) and
    /// hands its choice to the object layer's allocation this way.
    /// => the page is in the free cache
    /// </summary>
    public void PutOnTop(VmPage page)
    {
        int at = Array.IndexOf(_freeStack, page, 0, _freeTop);
        K.Kassert(at >= 0, "uvm_pagealloc: chosen page is on the free list");
        (_freeStack[at], _freeStack[_freeTop - 1]) = (_freeStack[_freeTop - 1], _freeStack[at]);
    }

    public void ReturnFreePage(VmPage page) => _freeStack[_freeTop++] = page;

    public int FreeStackDepth => _freeTop;

    public void LockPageq()
    {
        if (PageqLocked)
            throw K.Panic("mtx_enter: locking against myself (uvm.pageqlock)");
        PageqLocked = true;
    }

    public void UnlockPageq()
    {
        K.Kassert(PageqLocked, "MUTEX_ASSERT_LOCKED(&uvm.pageqlock)");
        PageqLocked = false;
    }

    /// <summary>
    /// The routine drops its locks and sleeps; other threads run; it wakes up.
    /// => no mutex may be held (assertwaitok)
    /// => with no sleep hook, the I/O being waited for completes and nothing else happens
    /// </summary>
    public WakeResult Sleep(SleepPoint point)
    {
        if (PageqLocked)
            throw K.Panic("assertwaitok: sleeping with uvm.pageqlock held");
        if (++SleepsThisOp > MaxSleepsPerOp)
            throw new SimulationLimit($"more than {MaxSleepsPerOp} sleeps in one operation");
        if (SleepHook is { } hook)
            return hook.Slept(this, point);
        OtherThreads.CompleteIo(this, point);
        return WakeResult.Normal;
    }
}
