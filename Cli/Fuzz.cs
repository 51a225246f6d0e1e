using System.Text;
using Spectre.Console;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>
/// uvmdiff fuzz: a random campaign of one layer on every core, with progress, a closing summary (per
/// worker and in total, the op-kind mix, probe counts) and, for each divergence, a shrunk trace in the
/// corpus directory.
/// </summary>
public sealed class Fuzz(Fuzz.Settings settings) : ILayerVisitor<int>
{
    public const double DefaultSeconds = 10;
    private static readonly TimeSpan PlainProgressPeriod = TimeSpan.FromSeconds(5);

    public sealed record Settings(
        double? Seconds,
        long? Cases,
        ulong Seed,
        int MaxOps,
        FaultSet Faults,
        string OutDir,
        int Workers,
        int Shard,
        int Shards,
        bool KeepGoing,
        ShrinkLimits Shrink,
        string CommandLine
    );

    public int Visit<TOp>(ILayer<TOp> layer)
        where TOp : class
    {
        double? seconds = settings.Seconds ?? (settings.Cases is null ? DefaultSeconds : null);
        var options = new CampaignOptions(
            settings.Faults,
            settings.Seed,
            settings.MaxOps,
            settings.Cases,
            seconds is { } s ? TimeSpan.FromSeconds(s) : null,
            settings.Workers,
            settings.Shard,
            settings.Shards,
            settings.KeepGoing,
            settings.Shrink
        );
        using var interruption = new Interruption();
        var sides = new Differential<TOp>(layer, settings.Faults);
        string limit = settings.Cases is { } c ? $"{c:N0} sequences" : $"{seconds:0.#} s";
        Console.WriteLine(
            $"fuzz: layer {layer.Name} (reference vs {string.Join(", ", sides.Implementations.Select(i => i.Name))}), "
                + $"seed {settings.Seed}, shard {settings.Shard}/{settings.Shards}, {settings.Workers} worker(s), "
                + $"max {settings.MaxOps} ops, {limit}"
        );

        Corpus corpus;
        try
        {
            corpus = new Corpus(settings.OutDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot use {settings.OutDir} as the corpus: {e.Message}");
        }
        var recorded = new List<(CorpusEntry Entry, string What)>();
        void Found(Finding<TOp> finding)
        {
            var record = corpus.Record(layer, finding, settings.Faults, settings.CommandLine);
            recorded.Add(record);
            if (settings.KeepGoing && record.What != "seen")
                Console.WriteLine(
                    $"fuzz: {record.What} signature {record.Entry.Hash} ({record.Entry.Length} ops): {record.Entry.Signature}"
                );
        }

        var result = Interactive()
            ? RunWithProgressBar(layer, options, seconds, interruption.Token, Found)
            : Campaign.Run(layer, options, interruption.Token, PlainProgress(), Found);
        corpus.Flush();

        Console.Write(Summary(layer, result));
        if (!result.Diverged)
            return UvmDiffCommand.ExitOk;
        if (!settings.KeepGoing)
        {
            Print(result.First!);
            Console.WriteLine($"trace written to {recorded[0].Entry.Path} ({recorded[0].What} signature)");
        }
        else
        {
            Console.WriteLine($"signatures this campaign found (corpus {settings.OutDir}):");
            foreach (var group in recorded.GroupBy(r => r.Entry.Signature))
            {
                var entry = group.Last().Entry;
                Console.WriteLine($"  {entry.Hash}  x{group.Count(), -6} {entry.Length} ops  {entry.Path}");
            }
        }
        return UvmDiffCommand.ExitDiverged;
    }

    public static void Print<TOp>(Finding<TOp> finding)
        where TOp : class
    {
        var shrunk = finding.Shrunk!;
        Console.WriteLine();
        Console.Write(shrunk.Divergence.Report());
        Console.WriteLine();
        string cut = shrunk.CutShort is null ? "" : $", cut short by {shrunk.CutShort}";
        Console.WriteLine(
            $"shrunk from {finding.Original.Length} to {shrunk.Ops.Length} ops in {shrunk.Runs:N0} runs, "
                + $"{shrunk.Time.TotalSeconds:0.0} s{cut} (sequence {finding.Sequence}, seed {finding.SequenceSeed}):"
        );
        foreach (var op in shrunk.Ops)
            Console.WriteLine($"  {op}");
    }

    public static string Summary<TOp>(ILayer<TOp> layer, CampaignResult<TOp> result)
        where TOp : class
    {
        var sb = new StringBuilder();
        var total = result.Total;
        double secs = Math.Max(result.Searching.TotalSeconds, 1e-9);
        sb.Append(
            $"fuzz: {result.Searching.TotalSeconds:0.0} s, {total.Sequences:N0} sequences, {total.Ops:N0} ops, "
                + $"{total.Ops / secs:N0} differential ops/s in total (reference + implementations + invariants + comparison), "
                + (result.Diverged ? "DIVERGED" : "no divergence")
                + (result.Interrupted ? " (interrupted)" : "")
                + "\n"
        );
        foreach (var worker in result.Workers)
        {
            double busy = Math.Max(worker.Searching.TotalSeconds, 1e-9);
            sb.Append(
                $"  worker {worker.Worker}: {worker.Stats.Sequences:N0} sequences, {worker.Stats.Ops:N0} ops, "
                    + $"{worker.Stats.Ops / busy:N0} ops/s\n"
            );
        }
        if (total.TimedOps > 0)
        {
            sb.Append(
                $"  ops/s of Apply alone per side (every {Differential<TOp>.TimingPeriod}th op timed, {total.TimedOps:N0} ops):"
            );
            for (int side = 0; side < total.SideNames.Count; side++)
                sb.Append($"{(side == 0 ? " " : ", ")}{total.SideNames[side]} {total.ApplyRate(side):N0}");
            sb.Append('\n');
        }
        sb.Append("  op mix (share of ops, then how many slept and panicked):\n");
        for (int k = 0; k < layer.OpKinds.Count; k++)
        {
            double share = total.Ops == 0 ? 0 : 100.0 * total.OpsByKind[k] / total.Ops;
            sb.Append(
                $"    {layer.OpKinds[k], -22} {share, 5:0.0}%  slept {total.SleptByKind[k], 12:N0}  panicked {total.PanicsByKind[k], 10:N0}\n"
            );
        }
        sb.Append("  probes (branches of the implementations reached):\n");
        for (int p = 0; p < layer.Probes.Count; p++)
        {
            string faults = string.Join(
                ", ",
                FaultCatalog.OfLayer(layer.Name).Where(f => f.Branch == layer.Probes[p]).Select(f => f.Name)
            );
            string never = result.Probes[p] == 0 ? $"   NEVER REACHED: untested {faults}" : "";
            sb.Append($"    {layer.Probes[p], -56} {result.Probes[p], 14:N0}{never}\n");
        }
        return sb.ToString();
    }

    private static bool Interactive() =>
        !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive
        && Environment.GetEnvironmentVariable("CI") is null;

    private static Action<RunStats, TimeSpan> PlainProgress()
    {
        var next = PlainProgressPeriod;
        return (stats, elapsed) =>
        {
            if (elapsed < next)
                return;
            next = elapsed + PlainProgressPeriod;
            Console.WriteLine($"fuzz: {elapsed.TotalSeconds:0} s, {stats.Sequences:N0} sequences, {stats.Ops:N0} ops");
        };
    }

    private static CampaignResult<TOp> RunWithProgressBar<TOp>(
        ILayer<TOp> layer,
        CampaignOptions options,
        double? seconds,
        CancellationToken cancel,
        Action<Finding<TOp>> found
    )
        where TOp : class
    {
        CampaignResult<TOp>? result = null;
        AnsiConsole
            .Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn()
            )
            .Start(ctx =>
            {
                var task = ctx.AddTask("fuzzing", maxValue: seconds ?? options.Cases ?? 1);
                result = Campaign.Run(
                    layer,
                    options,
                    cancel,
                    (stats, elapsed) =>
                    {
                        task.Value = seconds is null ? stats.Sequences : Math.Min(elapsed.TotalSeconds, seconds.Value);
                        task.Description =
                            $"{stats.Sequences:N0} sequences, {stats.Ops:N0} ops, {stats.Ops / Math.Max(elapsed.TotalSeconds, 1e-9):N0} ops/s";
                    },
                    found
                );
                task.Value = task.MaxValue;
            });
        return result!;
    }
}
