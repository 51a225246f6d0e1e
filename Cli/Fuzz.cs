using Spectre.Console;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>uvmdiff fuzz: a random campaign with progress, a closing summary and, on divergence, a trace.</summary>
public static class Fuzz
{
    public const double DefaultSeconds = 10;
    private static readonly TimeSpan PlainProgressPeriod = TimeSpan.FromSeconds(5);

    public sealed record Settings(double? Seconds, long? Cases, ulong Seed, int MaxOps, FaultSet Faults, string OutDir);

    public static int Run(Settings settings)
    {
        if (settings.Seconds is <= 0)
            throw new UsageException("--seconds must be positive");
        if (settings.Cases is <= 0)
            throw new UsageException("--cases must be positive");
        double? seconds = settings.Seconds ?? (settings.Cases is null ? DefaultSeconds : null);
        var options = new CampaignOptions(
            settings.Faults,
            settings.Seed,
            settings.MaxOps,
            settings.Cases,
            seconds is { } s ? TimeSpan.FromSeconds(s) : null
        );
        string limit = settings.Cases is { } c ? $"{c:N0} sequences" : $"{seconds:0.#} s";
        Console.WriteLine(
            $"fuzz: layer {ObjectLayer.Instance.Name}, implementation faults {settings.Faults}, seed {settings.Seed}, max {settings.MaxOps} ops, {limit}"
        );

        var result = Interactive()
            ? RunWithProgressBar(options, seconds)
            : Campaign.Run(ObjectLayer.Instance, ObjectGen.Arbitrary(options.MaxOps), options, PlainProgress());

        Console.WriteLine(Summary(result.Stats, result.Elapsed - result.ShrinkTime, result.Diverged));
        if (!result.Diverged)
            return UvmDiffCommand.ExitOk;
        Counterexample.Print(result);
        string command =
            $"uvmdiff fuzz --seed {settings.Seed} --max-ops {settings.MaxOps}{FaultOption(settings.Faults)}";
        string path = Counterexample.Write(
            ObjectLayer.Instance.Name,
            result,
            settings.Faults,
            settings.OutDir,
            command
        );
        Console.WriteLine($"trace written to {path}");
        return UvmDiffCommand.ExitDiverged;
    }

    public static string Summary(RunStats stats, TimeSpan searching, bool diverged)
    {
        double secs = Math.Max(searching.TotalSeconds, 1e-9);
        return $"fuzz: {searching.TotalSeconds:0.0} s, {stats.Sequences:N0} sequences, {stats.Ops:N0} ops, "
            + $"{stats.Ops / secs:N0} differential ops/s (reference + implementation + invariants + comparison), "
            + (diverged ? "DIVERGED" : "no divergence");
    }

    private static string FaultOption(FaultSet faults)
    {
        foreach (var info in FaultCatalog.All)
        {
            if (FaultSet.Of(info) == faults)
                return $" --fault {info.Name}";
        }
        return "";
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

    private static CampaignResult<ObjOp> RunWithProgressBar(CampaignOptions options, double? seconds)
    {
        CampaignResult<ObjOp>? result = null;
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
                    ObjectLayer.Instance,
                    ObjectGen.Arbitrary(options.MaxOps),
                    options,
                    (stats, elapsed) =>
                    {
                        task.Value = seconds is null ? stats.Sequences : elapsed.TotalSeconds;
                        task.Description = $"{stats.Sequences:N0} sequences, {stats.Ops:N0} ops";
                    }
                );
                task.Value = task.MaxValue;
            });
        return result!;
    }
}
