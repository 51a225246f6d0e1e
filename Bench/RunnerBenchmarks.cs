using BenchmarkDotNet.Attributes;
using UvmDiff.Harness.Core;

namespace UvmDiff.Bench;

/// <summary>
/// The differential runner per layer, phase by phase (<see cref="IRunnerPhases"/>): each benchmark runs
/// the same batch with one more phase switched on, so the differences are the phases' costs.
/// Divide by <see cref="IRunnerPhases.OpsPerBatch"/> for time per op.
/// </summary>
[MemoryDiagnoser]
public class RunnerBenchmarks
{
    private IRunnerPhases _phases = null!;

    public static IEnumerable<string> LayerNames => Layers.All.Select(l => l.Name);

    [ParamsSource(nameof(LayerNames))]
    public string Layer { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _phases = RunnerPhases.For(Layers.Find(Layer)!);

    [Benchmark]
    public void Generate() => _phases.Generate();

    [Benchmark]
    public void GenerateReset() => _phases.Reset();

    [Benchmark]
    public void GenerateResetApply() => _phases.Apply();

    [Benchmark]
    public void PlusInvariants() => _phases.Invariants();

    [Benchmark]
    public void PlusFingerprints() => _phases.Fingerprints();

    [Benchmark(Baseline = true)]
    public void Runner() => _phases.Runner();
}
