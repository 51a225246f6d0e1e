using System.Globalization;

namespace UvmDiff.Bench;

/// <summary>Ties a benchmark method to the scenario and side whose counter is shown beside its time.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CountsAttribute(Scenario scenario, Side side) : Attribute
{
    public Scenario Scenario { get; } = scenario;
    public Side Side { get; } = side;
}

/// <summary>The deterministic work of one routine call on one side.</summary>
public sealed record CounterRow(Scenario Scenario, Side Side, long PagesInRange, int ResidentPages, long NodesVisited);

/// <summary>
/// <see cref="Spec.Objects.PageIndex.NodesVisited"/> per single routine call, measured on a settled
/// machine of its own. Computed where it is asked for rather than recorded during the benchmark run:
/// BenchmarkDotNet runs benchmarks in a child process by default, and the counter is deterministic, so
/// recomputing it in the process that prints the summary gives the same number without plumbing.
/// </summary>
public static class Counters
{
    private static readonly Lazy<IReadOnlyList<CounterRow>> s_rows = new(MeasureAll);

    public static IReadOnlyList<CounterRow> All => s_rows.Value;

    public static long Nodes(Scenario scenario, Side side)
    {
        foreach (var row in All)
        {
            if (row.Scenario == scenario && row.Side == side)
                return row.NodesVisited;
        }
        throw new ArgumentException($"no counter for {scenario} on {side}");
    }

    /// <summary>
    /// One call's count, taken twice in a row: the two must agree, or the scenario is not the
    /// idempotent call the benchmark assumes it repeats.
    /// </summary>
    public static CounterRow Measure(Scenario scenario, Side side)
    {
        var machine = SparseMachine.Settled(side);
        long first = CountOneCall(machine, scenario);
        long second = CountOneCall(machine, scenario);
        if (first != second)
        {
            throw new InvalidOperationException(
                $"{Workloads.Routine(scenario)} on {side.Label()}: {first} then {second} nodes, so it is not idempotent"
            );
        }
        return new CounterRow(
            scenario,
            side,
            Workloads.PagesInRange(scenario),
            Workloads.Target(machine, scenario).NPages,
            first
        );
    }

    private static long CountOneCall(SparseMachine machine, Scenario scenario)
    {
        Workloads.Prepare(machine, scenario);
        var index = Workloads.Target(machine, scenario).Pages;
        index.NodesVisited = 0;
        Workloads.Call(machine, scenario);
        return index.NodesVisited;
    }

    private static IReadOnlyList<CounterRow> MeasureAll()
    {
        var rows = new List<CounterRow>();
        foreach (var scenario in Enum.GetValues<Scenario>())
        {
            foreach (var side in Enum.GetValues<Side>())
                rows.Add(Measure(scenario, side));
        }
        return rows;
    }

    /// <summary>
    /// The plain table of --counters: one row per routine and side, the rbtree row carrying the
    /// reference/rbtree ratio of index work.
    /// </summary>
    public static void PrintTable(TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        string[] header = ["routine", "side", "pages in range", "resident", "index nodes visited", "reference/rbtree"];
        var lines = new List<string[]> { header };
        foreach (var row in All)
        {
            string unit = row.Side == Side.Reference ? "probes" : "nodes";
            string ratio = "";
            if (row.Side != Side.Reference)
            {
                double r = (double)Nodes(row.Scenario, Side.Reference) / row.NodesVisited;
                ratio = r.ToString(r >= 10 ? "N0" : "N2", culture) + "x";
            }
            lines.Add([
                Workloads.Routine(row.Scenario),
                row.Side.Label(),
                row.PagesInRange.ToString("N0", culture) + " offsets",
                row.ResidentPages.ToString(culture) + " resident",
                row.NodesVisited.ToString("N0", culture) + " " + unit,
                ratio,
            ]);
        }

        var widths = new int[header.Length];
        foreach (var line in lines)
        {
            for (int i = 0; i < line.Length; i++)
                widths[i] = Math.Max(widths[i], line[i].Length);
        }
        foreach (var line in lines)
        {
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < line.Length; i++)
            {
                bool numeric = i >= 2 && line != header;
                text.Append(numeric ? line[i].PadLeft(widths[i]) : line[i].PadRight(widths[i]));
                if (i < line.Length - 1)
                    text.Append("  ");
            }
            output.WriteLine(text.ToString().TrimEnd());
        }
        output.WriteLine();
        output.WriteLine(
            $"Objects of {SparseMachine.ObjectPages:N0} pages (1 GiB); flushes walk {SparseMachine.ResidentPages} pages "
                + $"{SparseMachine.Stride:N0} apart, uvm_obj_unwire a dense run of {SparseMachine.ResidentPages} (wired just before, not counted)."
        );
        output.WriteLine(
            "Reference: HashPageIndex probes (one per uvm_pagelookup); rbtree: RbPageTree nodes descended or stepped onto."
        );
    }
}
