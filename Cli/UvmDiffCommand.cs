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

    public static int Run(string[] args)
    {
        var seconds = new Option<double?>("--seconds") { Description = "stop after this many seconds" };
        var cases = new Option<long?>("--cases") { Description = "stop after this many op sequences" };
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
            Description = "build the implementation with this fault (see 'uvmdiff faults --list')",
        };
        var outDir = new Option<string>("--out")
        {
            Description = "where counterexample traces go",
            DefaultValueFactory = _ => "counterexamples",
        };
        var fuzz = new Command("fuzz", "run random op sequences on the reference and every implementation")
        {
            seconds,
            cases,
            seed,
            maxOps,
            fault,
            outDir,
        };
        fuzz.SetAction(pr =>
            Guard(() =>
                Fuzz.Run(
                    new Fuzz.Settings(
                        pr.GetValue(seconds),
                        pr.GetValue(cases),
                        ParseSeed(pr.GetValue(seed)),
                        Positive(pr.GetValue(maxOps), "--max-ops"),
                        ParseFaults(pr.GetValue(fault)),
                        pr.GetValue(outDir)!
                    )
                )
            )
        );

        var traceFile = new Argument<string>("file") { Description = "a trace file" };
        var replayFault = new Option<string?>("--fault")
        {
            Description = "replay against the implementation built with this fault",
        };
        var replay = new Command("replay", "replay a trace step by step and report the first divergence")
        {
            traceFile,
            replayFault,
        };
        replay.SetAction(pr => Guard(() => Replay.Run(pr.GetValue(traceFile)!, ParseFaults(pr.GetValue(replayFault)))));

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
        var list = new Option<bool>("--list") { Description = "only list the catalog" };
        var faults = new Command("faults", "run a campaign against each fault of the catalog and tabulate detection")
        {
            perFault,
            faultSeed,
            list,
        };
        faults.SetAction(pr =>
            Guard(() => FaultTable.Run(pr.GetValue(perFault), ParseSeed(pr.GetValue(faultSeed)), pr.GetValue(list)))
        );

        var scenarioName = new Argument<string?>("name")
        {
            Description = "a scenario; none lists them",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scenario = new Command("scenario", "list the snapshot scenarios, or print one's rendering on the reference")
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
            scenario,
            approve,
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
    private static int Guard(Func<int> action)
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
    }

    public static ulong ParseSeed(string? text)
    {
        if (text is null)
            return (ulong)Random.Shared.NextInt64();
        bool ok = OpSyntax.TryParseNumber(text, out ulong seed);
        return ok ? seed : throw new UsageException($"--seed '{text}' is not a number");
    }

    public static FaultSet ParseFaults(string? name)
    {
        if (name is null)
            return FaultSet.None;
        var info =
            FaultCatalog.Find(name)
            ?? throw new UsageException($"unknown fault '{name}' (see 'uvmdiff faults --list')");
        return FaultSet.Of(info);
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be positive");
}

/// <summary>Bad usage or input, reported as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
