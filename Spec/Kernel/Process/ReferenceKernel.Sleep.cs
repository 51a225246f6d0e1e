using UvmDiff.Spec.Pages;

namespace UvmDiff.Spec.Kernel.Process;

/// <summary>
/// The reference kernel's flushes asleep: uvn_flush's tsleep on a busy page (uvm_pagewait, "uvn_flsh") and
/// on u_nio ("uvn_flush"), with the other CPU running kernel ops in the meantime.
/// </summary>
public sealed partial class ReferenceKernel : ISleepHook
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
    /// A routine of the object layer sleeps. The I/O it waits for completes first (uvm_aio_aiodone or
    /// uvn_io's end: the page unbusied, the sleeper woken); then, on the first sleep on another thread's
    /// page, <see cref="WhileAsleep"/> runs before the sleeper takes its locks again, so the page it slept
    /// on may be freed and handed out again by then (uvm_pagewait: "the page may be freed or reused").
    /// => what the routine did to the pmap before the sleep is done to the pmap before the other ops
    ///    run, and the pages are loaded from the pmap again after them: pmap operations take effect
    ///    at once in the kernel, while the object layer records them in the pages
    /// => the sleeps the routine counts are its own
    /// => called only while <see cref="WhileAsleep"/> is set: it is the sleep hook then, and no hook after
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
        LoadPmap();
        return WakeResult.Normal;
    }
}
