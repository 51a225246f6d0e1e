using System.CommandLine;
using UvmDiff.Harness.Concurrency;
using UvmDiff.Harness.Core;
using UvmDiff.Implementations;

namespace UvmDiff.Cli;

/// <summary>
/// uvmdiff explore: every schedule of concurrency-layer programs (the shipped ones, a trace's, or
/// generated ones) on the stepped kernel before and after seed 002, with partial-order reduction. Prints
/// the schedules covered per program; a failing schedule is shrunk, written as a trace and shown in two
/// columns. Exit codes as fuzz: 0 nothing failed, 1 a failure, 2 bad usage.
/// </summary>
public static class ExploreCommand
{
    public static Command Create(Func<Func<int>, int> guard)
    {
        var trace = new Option<string?>("--trace") { Description = "explore the programs of this concurrency trace" };
        var program = new Option<string?>("--program") { Description = "explore this one program (replay syntax)" };
        var generate = new Option<int?>("--generate") { Description = "explore N generated programs (with --seed)" };
        var seed = new Option<string?>("--seed") { Description = "seed of the generated programs" };
        var impl = new Option<string>("--impl")
        {
            Description = "before, after or both (seed 002's diff)",
            DefaultValueFactory = _ => "both",
        };
        var fault = new Option<string?>("--fault") { Description = "build the implementations with this fault" };
        var seconds = new Option<double>("--seconds")
        {
            Description = "bound per program and implementation",
            DefaultValueFactory = _ => 60,
        };
        var maxSchedules = new Option<long>("--max-schedules")
        {
            Description = "bound on schedules per program and implementation",
            DefaultValueFactory = _ => long.MaxValue,
        };
        var noReduction = new Option<bool>("--no-reduction")
        {
            Description = "run every interleaving, without partial-order reduction",
        };
        var outDir = new Option<string>("--out")
        {
            Description = "where a failing schedule's trace goes",
            DefaultValueFactory = _ => "counterexamples",
        };
        var command = new Command(
            "explore",
            "explore every schedule of concurrency programs (seed 002) and judge each run"
        )
        {
            trace,
            program,
            generate,
            seed,
            impl,
            fault,
            seconds,
            maxSchedules,
            noReduction,
            outDir,
        };
        command.SetAction(pr =>
            guard(() =>
            {
                var faults = UvmDiffCommand.ParseFaults(pr.GetValue(fault));
                if (Layers.FaultsOutside("concurrency", faults) is { } stray)
                    throw new UsageException($"fault {stray.Name} belongs to layer {stray.Layer}, not concurrency");
                bool[] sides = pr.GetValue(impl) switch
                {
                    "before" => [false],
                    "after" => [true],
                    "both" => [false, true],
                    var other => throw new UsageException($"--impl '{other}' is not before, after or both"),
                };
                if (pr.GetValue(seconds) <= 0 || pr.GetValue(maxSchedules) <= 0)
                    throw new UsageException("--seconds and --max-schedules must be positive");
                var programs = Programs(
                    pr.GetValue(trace),
                    pr.GetValue(program),
                    pr.GetValue(generate),
                    pr.GetValue(seed)
                );
                return Run(
                    programs,
                    sides,
                    faults,
                    TimeSpan.FromSeconds(pr.GetValue(seconds)),
                    pr.GetValue(maxSchedules),
                    !pr.GetValue(noReduction),
                    pr.GetValue(outDir)!
                );
            })
        );
        return command;
    }

    private static List<(string Name, ConcurrentProgram Program)> Programs(
        string? trace,
        string? text,
        int? generate,
        string? seed
    )
    {
        if ((trace is not null ? 1 : 0) + (text is not null ? 1 : 0) + (generate is not null ? 1 : 0) > 1)
            throw new UsageException("give at most one of --trace, --program and --generate");
        if (trace is not null)
        {
            if (!File.Exists(trace))
                throw new UsageException($"{trace}: no such file");
            try
            {
                return
                [
                    .. TraceFile
                        .Read(ConcurrencyLayer.Instance, trace)
                        .Select((p, i) => ($"{Path.GetFileName(trace)}#{i + 1}", p)),
                ];
            }
            catch (TraceFormatException e)
            {
                throw new UsageException(e.Message);
            }
        }
        if (text is not null)
        {
            try
            {
                return [("program", ProgramParser.Parse(text))];
            }
            catch (FormatException e)
            {
                throw new UsageException($"--program: {e.Message}");
            }
        }
        if (generate is not null)
        {
            if (generate <= 0)
                throw new UsageException("--generate must be positive");
            var rng = new Rng(UvmDiffCommand.ParseSeed(seed));
            var list = new List<(string, ConcurrentProgram)>();
            for (int i = 0; i < generate; i++)
                list.Add(($"generated#{i + 1}", ProgramGen.One(ref rng)));
            return list;
        }
        return [.. ShippedPrograms.All];
    }

    private static int Run(
        List<(string Name, ConcurrentProgram Program)> programs,
        bool[] sides,
        FaultSet faults,
        TimeSpan limit,
        long maxSchedules,
        bool reduce,
        string outDir
    )
    {
        long total = 0;
        int exit = UvmDiffCommand.ExitOk;
        foreach (var (name, program) in programs)
        {
            foreach (bool afterDiff in sides)
            {
                var result = new Explorer(afterDiff, faults, limit, maxSchedules, reduce)
                {
                    Progress = (schedules, elapsed) =>
                        Console.WriteLine(
                            $"explore {name}: {schedules:N0} schedules in {elapsed.TotalSeconds:0} s, going on"
                        ),
                }.Explore(program);
                total += result.Schedules;
                string verdict =
                    result.Counterexample is not null ? $"FAILED: {result.Failure}"
                    : result.Exhaustive ? "every schedule linearizable"
                    : "bound reached before the end, no failure so far";
                Console.WriteLine(
                    $"explore {name} on {result.Implementation}: {result.Schedules:N0} schedules "
                        + $"({result.SleepBlocked:N0} redundant branches cut, {result.Steps:N0} steps, {result.DistinctResults} distinct results) in {result.Time.TotalSeconds:0.00} s: {verdict}"
                );
                if (result.Counterexample is not null)
                {
                    Report(result, afterDiff, faults, outDir);
                    exit = UvmDiffCommand.ExitDiverged;
                }
            }
        }
        Console.WriteLine($"explore: {programs.Count} program(s), {total:N0} schedules judged, faults {faults}");
        return exit;
    }

    /// <summary>Shrink the failing schedule against the build it failed on, show it in two columns, write its trace.</summary>
    private static void Report(ExploreResult result, bool afterDiff, FaultSet faults, string outDir)
    {
        var layer = ConcurrencyLayer.Only(afterDiff);
        var runner = new Differential<ConcurrentProgram>(layer, faults);
        ConcurrentProgram[] ops = [result.Counterexample!];
        var divergence = runner.Run(ops, count: false);
        if (divergence is null)
        {
            Console.WriteLine(InterleavingView.Render(result.Counterexample!, afterDiff, faults));
            return;
        }
        var shrunk = Shrinker.Shrink(runner, layer, ops, divergence, ShrinkLimits.Default);
        var program = shrunk.Ops[0];
        Console.Write(shrunk.Divergence.Report());
        Console.WriteLine(
            $"shrunk in {shrunk.Runs} runs to {program.Schedule.Length} scheduled steps, {program.ContextSwitches()} context switch(es):"
        );
        Console.WriteLine(InterleavingView.Render(program, afterDiff, faults));
        string path = TraceFile.WriteNew(
            outDir,
            $"explore-{DateTime.UtcNow:yyyy-MM-ddTHH-mm-ss}",
            TraceFile.Format(layer.Name, shrunk.Ops, [$"implementation faults: {faults}", shrunk.Divergence.Report()])
        );
        Console.WriteLine($"trace written to {path}");
    }
}
