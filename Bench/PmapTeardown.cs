using BenchmarkDotNet.Attributes;
using UvmDiff.Harness.Pmap;
using UvmDiff.Implementations;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Bench;

/// <summary>
/// Seed 004's case: a 4 GiB anonymous mapping of which 7 pages were touched, torn down at exit by each
/// strategy. The 7 pages sit in 7 different 2 MiB blocks, each the last page of its block, so the
/// kernel's remove_ptes scans its whole PTP (the worst case of uvm-semantics.md 9.2: 7 x 512 PTEs).
/// </summary>
public static class PmapTeardownCase
{
    public const ulong Base = 0x10_0000_0000;
    public const ulong Size = 4UL << 30;

    public static readonly string[] Strategies =
    [
        "reference",
        "amd64-kernel",
        "amd64-sparse",
        "arm64-per-va",
        "arm64-seed004",
    ];

    public static readonly ulong[] Touched = Pages();

    private static ulong[] Pages()
    {
        var vas = new ulong[7];
        for (int i = 0; i < vas.Length; i++)
            vas[i] = Base + (ulong)i * (512UL << 20) + 0x1ff000;
        return vas;
    }

    public static IPmapMachine Machine(string strategy) =>
        strategy switch
        {
            "reference" => new ReferencePmap(PmapProfile.Amd64),
            "arm64-per-va" => PmapLayer.Machine("arm64-1.113", FaultSet.None).Machine,
            "arm64-seed004" => PmapLayer.Machine("arm64-seed004", FaultSet.None).Machine,
            _ => PmapLayer.Machine(strategy, FaultSet.None).Machine,
        };

    /// <summary>The process runs on CPU 0, faults its 7 pages in (write faults), and is about to exit.</summary>
    public static void Populate(IPmapMachine machine)
    {
        machine.Reset();
        machine.Activate(0, 0);
        for (int i = 0; i < Touched.Length; i++)
        {
            machine.Enter(
                0,
                Touched[i],
                i % PmapWorld.Pages,
                Prot.Read | Prot.Write,
                Prot.Write,
                wired: false,
                failAlloc: false
            );
            machine.Access(0, Touched[i], Prot.Read);
        }
    }

    public static void Exit(IPmapMachine machine) => machine.Exit(0, [new MapSpan(Base, Base + Size, false)], null);

    public static TeardownCounters Count(string strategy)
    {
        var machine = Machine(strategy);
        Populate(machine);
        Exit(machine);
        return machine.LastTeardown;
    }

    /// <summary>bench --counters: one line per strategy in the form, then the other counters.</summary>
    public static void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(
            "seed 004's case: 4 GiB mapping, 7 touched pages (each the last page of its 2 MiB block), torn down at exit:"
        );
        var all = Strategies.Select(s => (Strategy: s, Counters: Count(s))).ToList();
        foreach (var (strategy, c) in all)
            output.WriteLine(
                $"teardown {strategy}: {c.Lookups:N0} lookups, {c.PtesVisited:N0} PTEs visited, {c.Flushes:N0} flushes"
            );
        output.WriteLine();
        foreach (var (strategy, c) in all)
            output.WriteLine(
                $"  {strategy, -14} {c.TableEntriesRead, 9:N0} directory entries read, {c.TablePagesFreed, 4:N0} table pages freed"
            );
    }
}

/// <summary>The teardown of seed 004's case per strategy: the machine is refilled outside the timed region.</summary>
[MemoryDiagnoser]
public class PmapTeardownBenchmarks
{
    private IPmapMachine _machine = null!;

    [ParamsSource(nameof(StrategyNames))]
    public string Strategy { get; set; } = "";

    public static IEnumerable<string> StrategyNames => PmapTeardownCase.Strategies;

    [GlobalSetup]
    public void Setup() => _machine = PmapTeardownCase.Machine(Strategy);

    [IterationSetup]
    public void Fill() => PmapTeardownCase.Populate(_machine);

    [Benchmark]
    public void Teardown() => PmapTeardownCase.Exit(_machine);
}
