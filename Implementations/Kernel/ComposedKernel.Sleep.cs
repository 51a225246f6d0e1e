using UvmDiff.Spec;
using UvmDiff.Spec.Pages;

namespace UvmDiff.Implementations.Kernel;

/// <summary>The composed kernel's flushes asleep while the other CPU runs kernel ops.</summary>
public sealed partial class ComposedKernel : ISleepHook
{
    private Action<SleepPoint>? _whileAsleep;

    public Action<SleepPoint>? WhileAsleep
    {
        get => _whileAsleep;
        set
        {
            _whileAsleep = value;
            _uvm.SleepHook = value is null ? null : this;
        }
    }

    /// <summary>
    /// The awaited I/O completes; at the first sleep on another thread's page the pmap is brought up to
    /// date, the other CPU's ops run, and the pages are loaded again. The object slept on is recorded as
    /// changed, so the object layer's invariants are checked after the op whatever the ops in between
    /// took in of the changes.
    /// </summary>
    public WakeResult Slept(Uvm uvm, SleepPoint point)
    {
        OtherThreads.CompleteIo(uvm, point);
        if (point.IsIo)
            return WakeResult.Normal;
        var during = _whileAsleep!;
        WhileAsleep = null;
        PlayBackPmap();
        int sleeps = uvm.SleepsThisOp;
        during(point);
        uvm.SleepsThisOp = sleeps;
        LoadPages();
        uvm.Changes.Object(point.Object);
        return WakeResult.Normal;
    }
}
