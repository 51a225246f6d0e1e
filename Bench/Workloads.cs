using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Bench;

/// <summary>The routine calls measured, each one that leaves the machine as it found it.</summary>
public enum Scenario
{
    /// <summary>uvn_flush(PGO_CLEANIT) over the whole vnode, every resident page clean: two walks, no I/O.</summary>
    UvnFlushCleanIt,

    /// <summary>uao_flush(PGO_DEACTIVATE) over the whole aobj, its pages already inactive.</summary>
    UaoFlushDeactivate,

    /// <summary>uvm_obj_wire then uvm_obj_unwire of the dense run; only the unwire is counted.</summary>
    ObjUnwire,
}

/// <summary>
/// One place that says what each scenario calls, so the benchmarks and the counters cannot drift apart.
/// An invocation is <see cref="Prepare"/> (restoring what the routine undoes) then <see cref="Call"/>
/// (the routine under study).
/// </summary>
public static class Workloads
{
    /// <summary>Routine labels; constants so that benchmark categories can use them too.</summary>
    public const string UvnFlushCleanItName = "uvn_flush CleanIt";

    public const string UaoFlushDeactivateName = "uao_flush Deactivate";
    public const string ObjUnwireName = "uvm_obj_unwire";

    public static string Routine(Scenario scenario) =>
        scenario switch
        {
            Scenario.UvnFlushCleanIt => UvnFlushCleanItName,
            Scenario.UaoFlushDeactivate => UaoFlushDeactivateName,
            Scenario.ObjUnwire => ObjUnwireName,
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

    /// <summary>Offsets the routine's range covers: what a per-offset loop has to probe.</summary>
    public static long PagesInRange(Scenario scenario) =>
        scenario == Scenario.ObjUnwire ? SparseMachine.ResidentPages : SparseMachine.ObjectPages;

    /// <summary>The object whose index the routine walks.</summary>
    public static UvmObject Target(SparseMachine machine, Scenario scenario) =>
        scenario switch
        {
            Scenario.UvnFlushCleanIt => machine.Vnode,
            Scenario.UaoFlushDeactivate => machine.Aobj,
            Scenario.ObjUnwire => machine.WiredAobj,
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

    /// <summary>One benchmark invocation. => returns the routine's result so the call cannot be elided</summary>
    public static bool Invoke(SparseMachine machine, Scenario scenario)
    {
        Prepare(machine, scenario);
        return Call(machine, scenario);
    }

    /// <summary>Puts back what the previous call undid: the wire that uvm_obj_unwire consumes.</summary>
    public static void Prepare(SparseMachine machine, Scenario scenario)
    {
        if (scenario != Scenario.ObjUnwire)
            return;
        string? error = ObjWire.Wire(
            machine.Uvm,
            machine.Routines,
            machine.WiredAobj,
            SparseMachine.WiredStart,
            SparseMachine.WiredEnd
        );
        if (error is not null)
            throw new InvalidOperationException($"uvm_obj_wire: {error}");
    }

    /// <summary>The routine under study, once.</summary>
    public static bool Call(SparseMachine machine, Scenario scenario)
    {
        var uvm = machine.Uvm;
        uvm.BeginOperation();
        switch (scenario)
        {
            case Scenario.UvnFlushCleanIt:
                return machine.Routines.UvnFlush(uvm, machine.Vnode, 0, SparseMachine.ObjectBytes, PgoFlags.CleanIt);
            case Scenario.UaoFlushDeactivate:
                return machine.Routines.AobjFlush(uvm, machine.Aobj, 0, SparseMachine.ObjectBytes, PgoFlags.Deactivate);
            case Scenario.ObjUnwire:
                machine.Routines.ObjUnwire(uvm, machine.WiredAobj, SparseMachine.WiredStart, SparseMachine.WiredEnd);
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario));
        }
    }
}
