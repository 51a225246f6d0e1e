using System.Text;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Concurrency;

namespace UvmDiff.Harness.Concurrency;

/// <summary>
/// A program's run shown step by step in two columns, one per CPU (threads a and c share CPU 0, thread b
/// has CPU 1), then the realized schedule, the results, and the failure or the final world.
/// </summary>
public static class InterleavingView
{
    private const int Column = 66;

    public static string Render(ConcurrentProgram program, bool afterDiff, FaultSet faults)
    {
        var machine = new SteppedMachine(afterDiff, faults) { KeepLog = true };
        ProgramRun.Start(machine, program);
        machine.RunSchedule(program.ScheduleIndices());
        return Render(program, machine, afterDiff ? "after-002" : "before-002");
    }

    public static string Render(ConcurrentProgram program, SteppedMachine machine, string implementation)
    {
        var sb = new StringBuilder();
        sb.Append($"{implementation}: {program}\n");
        sb.Append(Pad("      CPU 0 (threads a, c)")).Append("CPU 1 (thread b)\n");
        var realized = new StringBuilder();
        for (int i = 0; i < machine.Log.Count; i++)
        {
            var (thread, step) = machine.Log[i];
            realized.Append(ConcurrentProgram.ThreadLetters[thread]);
            string cell = $"{ConcurrentProgram.ThreadLetters[thread]}: {step}";
            string number = $"{i + 1, 4}  ";
            sb.Append(thread == 1 ? number + Pad("") + cell : number + cell).Append('\n');
        }
        sb.Append($"schedule taken: {realized}\n");
        var perThread = new List<IReadOnlyList<string>>();
        for (int t = 0; t < machine.ThreadCount; t++)
            perThread.Add(machine.Thread(t).Results);
        sb.Append($"results: {SequentialOrders.ResultText(perThread)}\n");
        if (machine.Failure is { } failure)
            sb.Append(machine.FailureIsHang ? "HANG: " : "PANIC: ").Append(failure).Append('\n');
        var world = new List<string>();
        machine.World.Render(world);
        foreach (var line in world)
            sb.Append("  ").Append(line).Append('\n');
        return sb.ToString();
    }

    private static string Pad(string text) => text.Length >= Column ? text + " " : text.PadRight(Column);
}
