using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using UvmDiff.Bench;

// --counters: the deterministic work table alone, in well under a second, with no BenchmarkDotNet run.
if (args is ["--counters"])
{
    Counters.PrintTable(Console.Out);
    PmapTeardownCase.Print(Console.Out);
    MapCounters.Print(Console.Out);
    KernelPrometheus.Print(Console.Out);
    Seed003Counters.Print(Console.Out);
    return 0;
}

// --runner-profile [layer]: where the differential runner's time goes, per layer and phase, in a few seconds.
if (args is ["--runner-profile", .. var only] && only.Length <= 1)
{
    if (only is [var name] && !UvmDiff.Harness.Core.Layers.All.Any(layer => layer.Name == name))
    {
        Console.Error.WriteLine($"unknown layer '{name}'");
        return 2;
    }
    RunnerPhases.PrintProfile(Console.Out, only is [var layer] ? layer : null);
    return 0;
}

// Reports go beside the binary unless --artifacts says otherwise, so a run leaves nothing in the caller's directory.
var config = DefaultConfig.Instance.WithArtifactsPath(
    Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts")
);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(ObjectFlushBenchmarks).Assembly).Run(args, config);
foreach (var summary in summaries)
{
    if (summary.HasCriticalValidationErrors)
        return 1;
    foreach (var report in summary.Reports)
    {
        if (!report.Success)
            return 1;
    }
}
return 0;
