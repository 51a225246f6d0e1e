using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace UvmDiff.Bench;

/// <summary>
/// Puts the deterministic index work of one routine call beside the measured time, so a time ratio
/// can be read against the work ratio that explains it. Benchmarks without <see cref="CountsAttribute"/> show "-".
/// </summary>
public sealed class NodesVisitedColumn : IColumn
{
    public string Id => nameof(NodesVisitedColumn);

    public string ColumnName => "Nodes/call";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend =>
        "PageIndex.NodesVisited of one routine call (hash probes for the reference, tree nodes for rbtree); "
        + "for uvm_obj_unwire the uvm_obj_wire before it is timed but not counted";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var counts = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<CountsAttribute>();
        return counts is null
            ? "-"
            : Counters.Nodes(counts.Scenario, counts.Side).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public override string ToString() => ColumnName;
}

/// <summary>
/// The configuration every benchmark class here uses: the default one plus the counter column, with
/// ratios written as "N x faster": the sparse flushes differ by four orders of magnitude, which the
/// plain ratio style prints as 0.000.
/// </summary>
public sealed class CountersConfig : ManualConfig
{
    public CountersConfig()
    {
        AddColumn(new NodesVisitedColumn());
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
    }
}
