using UvmDiff.Harness.Kernel;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Pmap.Amd64;

namespace UvmDiff.Bench;

/// <summary>
/// Seed 003's trade-off as deterministic counters: what page tracking costs per operation on a PV-list
/// kernel (rbtree+amd64-kernel: PV entries allocated and stepped onto) and on the PV-less kernel
/// (rbtree+amd64-seed003: reverse lookups, map entries and backing nodes read). Every workload starts
/// from the same three processes, each with sixteen one-page mappings two pages apart (16 entries) and
/// touched pages, then runs one measured op. The fork workloads first exit p2, so that its slot is free
/// for the child.
/// </summary>
public static class Seed003Counters
{
    private sealed record Workload(string Name, string[] Setup, string Measured);

    public readonly record struct Row(
        string Op,
        string Kernel,
        long PvAllocated,
        long PvVisited,
        long Lookups,
        long EntriesVisited,
        long NodesVisited
    );

    private const ulong Base = 0x1000_0000;
    private const ulong Large = 0x2000_0000;

    /// <summary>Processes 0..2, sixteen entries each; p0 touches three pages, p1 and p2 one each (one of the six pages stays free).</summary>
    private static string[] Processes()
    {
        var lines = new List<string>();
        int[] touched = [3, 1, 1];
        for (int pid = 0; pid < 3; pid++)
        {
            lines.Add($"switch cpu0 p{pid}");
            for (int i = 0; i < 16; i++)
                lines.Add($"mmap p{pid} 0x{Base + (ulong)i * 0x2000:x} +1 rw- private");
            for (int i = 0; i < touched[pid]; i++)
                lines.Add($"write cpu0 0x{Base + (ulong)i * 0x2000:x}");
        }
        lines.Add("switch cpu0 idle");
        return [.. lines];
    }

    /// <summary>p0's four-page mapping whose last page is written, then clipped in two: one amap, two entries.</summary>
    private static readonly string[] SharedAmap =
    [
        "switch cpu0 p0",
        $"mmap p0 0x{Large:x} +4 rw- private",
        $"write cpu0 0x{Large + 0x3000:x}",
        $"mprotect p0 0x{Large:x} +2 r--",
    ];

    /// <summary>p2's slot freed, then p0 forked into it; p0's 16 entries are inherited COPY.</summary>
    private static readonly string[] Forked = ["exit p2", "fork p0 p2"];

    /// <summary>After the fork the child reads p0's first written page: one anon page, mapped in both pmaps.</summary>
    private static readonly string[] SharedAnon =
    [
        .. Forked,
        "switch cpu0 p2",
        $"read cpu0 0x{Base:x}",
        "switch cpu0 idle",
    ];

    /// <summary>A MAP_SHARED file page read by p0, then p0 forked (inherited SHARE) and the page read by the child.</summary>
    private static readonly string[] SharedFile =
    [
        "exit p2",
        "switch cpu0 p0",
        $"mmap p0 0x{Large:x} +1 rw- file 1 0x0 shared",
        $"read cpu0 0x{Large:x}",
        "fork p0 p2",
        "switch cpu0 p2",
        $"read cpu0 0x{Large:x}",
        "switch cpu0 idle",
    ];

    private static readonly Workload[] All =
    [
        new(
            "write fault (pmap_enter)",
            ["switch cpu0 p0", $"mmap p0 0x{Large:x} +1 rw- private"],
            $"write cpu0 0x{Large:x}"
        ),
        new(
            "page_protect(NONE) of a page in a shared amap (madvise)",
            SharedAmap,
            $"madvise p0 0x{Large + 0x3000:x} +1 dontneed"
        ),
        new("exit of p0 (its 3 pages freed)", [], "exit p0"),
        new("fork of p0 (16 entries, 3 touched pages)", ["exit p2"], "fork p0 p2"),
        new(
            "page_protect(NONE) of an anon page in parent and child (madvise)",
            SharedAnon,
            $"madvise p0 0x{Base:x} +1 dontneed"
        ),
        new(
            "page_protect(NONE) of a file page in parent and child (madvise)",
            SharedFile,
            $"madvise p0 0x{Large:x} +1 dontneed"
        ),
    ];

    public static IEnumerable<Row> Measure()
    {
        foreach (var workload in All)
        {
            string[] setup = [.. Processes(), .. workload.Setup];
            var pmap = new Amd64Pmap(FaultSet.None, Amd64Teardown.Kernel);
            var pvKernel = KernelLayer.Composed("rbtree+amd64-kernel", FaultSet.None, btree: false, pmap);
            var pv = (PvLists)pmap.Tracking;
            Run(pvKernel, setup);
            long allocated = pv.Allocated,
                visited = pv.Visited;
            Run(pvKernel, [workload.Measured]);
            yield return new Row(workload.Name, pvKernel.Name, pv.Allocated - allocated, pv.Visited - visited, 0, 0, 0);

            var seed003 = Seed003.Amd64(FaultSet.None, out var walk);
            Run(seed003, setup);
            walk.ResetCounters();
            Run(seed003, [workload.Measured]);
            yield return new Row(
                workload.Name,
                seed003.Name,
                0,
                0,
                walk.Lookups,
                walk.EntriesVisited,
                walk.NodesVisited
            );
        }
    }

    private static void Run(KernelSide side, string[] lines)
    {
        foreach (string line in lines)
        {
            var outcome = side.Apply(KernelLayer.Instance.Parse(line));
            if (!outcome.ToString().StartsWith("Ok", StringComparison.Ordinal))
                throw new InvalidOperationException($"{side.Name}: '{line}' gave {outcome}, not the workload's Ok");
        }
    }

    /// <summary>bench --counters: one line per workload and kernel.</summary>
    public static void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(
            "seed 003: page tracking per op (3 processes x 16 one-page entries, p0 with 3 touched pages, p1 and p2 with 1):"
        );
        foreach (var r in Measure())
        {
            string work = r.Kernel.Contains("seed003")
                ? $"{r.Lookups:N0} reverse lookups, {r.EntriesVisited:N0} map entries, {r.NodesVisited:N0} backing nodes visited"
                : $"{r.PvAllocated:N0} PV entries allocated, {r.PvVisited:N0} PV entries visited";
            output.WriteLine($"  {r.Op, -64} {r.Kernel, -22} {work}");
        }
    }
}
