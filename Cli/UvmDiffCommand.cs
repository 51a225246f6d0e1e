using System.CommandLine;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>
/// The uvmdiff command line. Exit codes: 0 nothing diverged, 1 a divergence (or an undetected fault),
/// 2 bad usage or bad input, always with a one-line message and never a stack trace.
/// </summary>
public static class UvmDiffCommand
{
    public const int ExitOk = 0;
    public const int ExitDiverged = 1;
    public const int ExitUsage = 2;

    public const string DefaultLayer = "kernel";

    public static int Run(string[] args)
    {
        string commandLine = "uvmdiff " + string.Join(' ', args);
        var layer = new Option<string?>("--layer")
        {
            Description =
                $"the layer to test: {string.Join(", ", Layers.All.Select(l => l.Name))} "
                + $"(default: the layer of --fault, else {DefaultLayer})",
        };
        var maps = new Option<string?>("--maps")
        {
            Description = "map layer: start every sequence from this /proc/PID/maps capture",
        };
        var arch = new Option<string?>("--arch") { Description = "pmap and kernel layers: amd64, arm64 or both" };
        var seconds = new Option<double?>("--seconds") { Description = "stop after this many seconds" };
        var cases = new Option<long?>("--cases")
        {
            Description = "stop after the first N sequence numbers of the campaign (the shard's share of them)",
        };
        var seed = new Option<string?>("--seed")
        {
            Description = "campaign seed (decimal or 0x hex); random when absent",
        };
        var maxOps = new Option<int>("--max-ops")
        {
            Description = "longest op sequence",
            DefaultValueFactory = _ => 40,
        };
        var fault = new Option<string?>("--fault")
        {
            Description = "build the implementations with this fault (see 'uvmdiff faults --list')",
        };
        var outDir = new Option<string>("--out")
        {
            Description = "the corpus directory counterexample traces go to",
            DefaultValueFactory = _ => "counterexamples",
        };
        var workers = new Option<int>("--workers")
        {
            Description = "worker threads (default: one per core)",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "I/N: run only shard I of N (sequence numbers k with k mod N = I)",
        };
        var keepGoing = new Option<bool>("--keep-going")
        {
            Description = "do not stop at the first divergence: shrink each, de-duplicate by signature, go on",
        };
        var shrinkRuns = new Option<int>("--shrink-runs")
        {
            Description = "most runs one shrink may take",
            DefaultValueFactory = _ => ShrinkLimits.Default.MaxRuns,
        };
        var shrinkSeconds = new Option<double>("--shrink-seconds")
        {
            Description = "most seconds one shrink may take",
            DefaultValueFactory = _ => ShrinkLimits.Default.MaxTime.TotalSeconds,
        };
        var fuzz = new Command("fuzz", "run random op sequences on the reference and every implementation")
        {
            layer,
            maps,
            arch,
            seconds,
            cases,
            seed,
            maxOps,
            fault,
            outDir,
            workers,
            shard,
            keepGoing,
            shrinkRuns,
            shrinkSeconds,
        };
        fuzz.SetAction(pr =>
            Guard(() =>
            {
                var (shardIndex, shardCount) = ParseShard(pr.GetValue(shard));
                if (pr.GetValue(seconds) is <= 0)
                    throw new UsageException("--seconds must be positive");
                if (pr.GetValue(cases) is <= 0)
                    throw new UsageException("--cases must be positive");
                var faultSet = ParseFaults(pr.GetValue(fault));
                var chosen = FindLayer(pr.GetValue(layer) ?? LayerOfFault(pr.GetValue(fault)) ?? DefaultLayer);
                if (Layers.FaultsOutside(chosen.Name, faultSet) is { } stray)
                    throw new UsageException($"fault {stray.Name} belongs to layer {stray.Layer}, not {chosen.Name}");
                var settings = new Fuzz.Settings(
                    pr.GetValue(seconds),
                    pr.GetValue(cases),
                    ParseSeed(pr.GetValue(seed)),
                    Positive(pr.GetValue(maxOps), "--max-ops"),
                    faultSet,
                    pr.GetValue(outDir)!,
                    Positive(pr.GetValue(workers), "--workers"),
                    shardIndex,
                    shardCount,
                    pr.GetValue(keepGoing),
                    new ShrinkLimits(
                        Positive(pr.GetValue(shrinkRuns), "--shrink-runs"),
                        TimeSpan.FromSeconds(PositiveSeconds(pr.GetValue(shrinkSeconds), "--shrink-seconds"))
                    ),
                    commandLine
                );
                return chosen.Accept(
                    new Fuzz(settings),
                    new LayerOptions(pr.GetValue(maps), pr.GetValue(arch), faultSet)
                );
            })
        );

        var traceFile = new Argument<string>("file") { Description = "a trace file" };
        var replayFault = new Option<string?>("--fault")
        {
            Description = "replay against the implementations built with this fault",
        };
        var replay = new Command(
            "replay",
            "replay a trace (its '# layer:' header names the layer) step by step and report the first divergence"
        )
        {
            traceFile,
            replayFault,
            maps,
            arch,
        };
        replay.SetAction(pr =>
            Guard(() =>
            {
                string path = pr.GetValue(traceFile)!;
                var replayFaults = ParseFaults(pr.GetValue(replayFault));
                return Replay
                    .LayerOf(path)
                    .Accept(
                        new Replay(path, replayFaults),
                        new LayerOptions(pr.GetValue(maps), pr.GetValue(arch), replayFaults)
                    );
            })
        );

        var perFault = new Option<double>("--seconds")
        {
            Description = "time allowed per fault",
            DefaultValueFactory = _ => 60,
        };
        var faultSeed = new Option<string?>("--seed")
        {
            Description = "seed of every fault's campaign",
            DefaultValueFactory = _ => "1",
        };
        var faultLayer = new Option<string>("--layer")
        {
            Description = "the layer whose faults to run, or all",
            DefaultValueFactory = _ => "all",
        };
        var list = new Option<bool>("--list") { Description = "only list the catalog" };
        var onlyFault = new Option<string?>("--fault") { Description = "run this fault of the catalog alone" };
        var faults = new Command("faults", "run a campaign against each fault of the catalog and tabulate detection")
        {
            perFault,
            faultSeed,
            faultLayer,
            workers,
            arch,
            list,
            onlyFault,
        };
        faults.SetAction(pr =>
            Guard(() =>
            {
                if (pr.GetValue(list))
                    return FaultTable.List();
                string which = pr.GetValue(faultLayer)!;
                var chosen = which == "all" ? Layers.All : [FindLayer(which)];
                var table = new FaultTable(
                    pr.GetValue(perFault),
                    ParseSeed(pr.GetValue(faultSeed)),
                    Positive(pr.GetValue(workers), "--workers"),
                    ParseFault(pr.GetValue(onlyFault))
                );
                int exit = ExitOk;
                foreach (var entry in chosen)
                    exit = Math.Max(exit, entry.Accept(table, new LayerOptions(Arch: pr.GetValue(arch))));
                return exit;
            })
        );

        var corpusDir = new Argument<string>("dir")
        {
            Description = "a corpus directory",
            DefaultValueFactory = _ => "counterexamples",
        };
        var corpus = new Command("corpus", "list a corpus: signatures with counts, first-seen seed and shortest trace")
        {
            corpusDir,
        };
        corpus.SetAction(pr => Guard(() => CorpusCommands.List(pr.GetValue(corpusDir)!)));
        var signature = new Argument<string>("signature") { Description = "a signature hash, or a unique prefix" };
        var fromDir = new Option<string>("--dir")
        {
            Description = "the corpus directory",
            DefaultValueFactory = _ => "counterexamples",
        };
        var toDir = new Option<string>("--to")
        {
            Description = "the regressions directory",
            DefaultValueFactory = _ => Path.Combine("Properties", "Regressions"),
        };
        var promoteFault = new Option<string?>("--fault")
        {
            Description = "the fault the regression must still be caught with (default: the one it was found with)",
        };
        var promote = new Command("promote", "turn a corpus trace into a regression under Properties/Regressions")
        {
            signature,
            fromDir,
            toDir,
            promoteFault,
        };
        promote.SetAction(pr =>
            Guard(() =>
                CorpusCommands.Promote(
                    pr.GetValue(fromDir)!,
                    pr.GetValue(signature)!,
                    pr.GetValue(toDir)!,
                    pr.GetValue(promoteFault)
                )
            )
        );
        corpus.Subcommands.Add(promote);

        var scenarioName = new Argument<string?>("name")
        {
            Description = "a scenario; none lists them",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scenario = new Command("scenario", "list the snapshot scenarios, or print one's rendering")
        {
            scenarioName,
        };
        scenario.SetAction(pr => Guard(() => SnapshotCommands.Scenario(pr.GetValue(scenarioName))));

        var snapshotDir = new Argument<string>("dir") { Description = "a snapshot directory, e.g. Snapshots/objects" };
        var approveName = new Argument<string?>("name")
        {
            Description = "one scenario; none approves every received file",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var approve = new Command("approve", "move received snapshots over the verified ones")
        {
            snapshotDir,
            approveName,
        };
        approve.SetAction(pr =>
            Guard(() => SnapshotCommands.Approve(pr.GetValue(snapshotDir)!, pr.GetValue(approveName)))
        );

        var root = new RootCommand(
            "uvmdiff: differential testing of OpenBSD UVM and pmap rewrites against a reference specification"
        )
        {
            fuzz,
            replay,
            faults,
            corpus,
            scenario,
            approve,
            ExploreCommand.Create(Guard),
            MapsCommand.Create(Guard),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"uvmdiff: {parse.Errors[0].Message} (see 'uvmdiff --help')");
            return ExitUsage;
        }
        return parse.Invoke();
    }

    /// <summary>Bad input becomes one line on stderr and exit code 2.</summary>
    internal static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"uvmdiff: {e.Message}");
            return ExitUsage;
        }
        catch (LayerOptionException e)
        {
            Console.Error.WriteLine($"uvmdiff: {e.Message}");
            return ExitUsage;
        }
    }

    public static LayerEntry FindLayer(string name) =>
        Layers.Find(name)
        ?? throw new UsageException(
            $"unknown layer '{name}' (layers: {string.Join(", ", Layers.All.Select(l => l.Name))})"
        );

    private static string? LayerOfFault(string? name) => name is null ? null : FaultCatalog.Find(name)?.Layer;

    public static ulong ParseSeed(string? text)
    {
        if (text is null)
            return (ulong)Random.Shared.NextInt64();
        bool ok = OpSyntax.TryParseNumber(text, out ulong seed);
        return ok ? seed : throw new UsageException($"--seed '{text}' is not a number");
    }

    public static (int Index, int Count) ParseShard(string? text)
    {
        if (text is null)
            return (0, 1);
        var parts = text.Split('/');
        if (
            parts.Length != 2
            || !int.TryParse(parts[0], out int index)
            || !int.TryParse(parts[1], out int count)
            || count < 1
            || index < 0
            || index >= count
        )
            throw new UsageException($"--shard '{text}' is not I/N with 0 <= I < N");
        return (index, count);
    }

    public static FaultSet ParseFaults(string? name) =>
        ParseFault(name) is { } fault ? FaultSet.Of(fault) : FaultSet.None;

    private static Fault? ParseFault(string? name) =>
        name is null
            ? null
            : FaultCatalog.Find(name)
                ?? throw new UsageException($"unknown fault '{name}' (see 'uvmdiff faults --list')");

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be positive");

    private static double PositiveSeconds(double value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be positive");
}

/// <summary>Bad usage or input, reported as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
