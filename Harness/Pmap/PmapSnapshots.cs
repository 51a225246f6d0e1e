using System.Text;
using UvmDiff.Harness.Snapshots;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Pmap;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>
/// Per-architecture snapshots (Snapshots/amd64, Snapshots/arm64): hand-written scenarios rendered as
/// the MI observation plus the machine's own tables, PV lists and TLBs. The first teardown variant of
/// each architecture is the approved rendering; the second must render the same text.
/// </summary>
public static class PmapSnapshots
{
    private sealed record Phase(string Name, string[] Ops, Action<IPmapMachine> Run);

    private sealed record PmapScenario(string Name, string Description, Phase[] Phases);

    private const ulong Base = 0x10_0000_0000;
    private const ulong FourGiB = 4UL << 30;

    private static ulong Touched(int i) => Base + (ulong)i * (512UL << 20) + 0x1ff000;

    private static readonly PmapScenario Seed004Exit = new(
        "Seed004FourGiBExit",
        "seed 004: a 4 GiB mapping with 7 touched pages, before and after exit",
        [
            new Phase(
                "process runs on cpu 0 and write-faults 7 pages of its 4 GiB entry, each the last page of a 2 MiB block",
                [
                    "Activate(cpu: 0, pmap: 0)",
                    .. Enumerable
                        .Range(0, 7)
                        .Select(i =>
                            $"Enter(pmap: 0, va: 0x{Touched(i):x}, page: {i % PmapWorld.Pages}, prot: rw_, access: _w_); Access(cpu: 0, va: 0x{Touched(i):x}, kind: r__)"
                        ),
                ],
                m =>
                {
                    m.Activate(0, 0);
                    for (int i = 0; i < 7; i++)
                    {
                        m.Enter(0, Touched(i), i % PmapWorld.Pages, Prot.Read | Prot.Write, Prot.Write, false, false);
                        m.Access(0, Touched(i), Prot.Read);
                    }
                }
            ),
            new Phase(
                "exit: the entry [0x1000000000, 0x1100000000) torn down, the pmap destroyed",
                ["Exit(pmap: 0) over the one 4 GiB entry"],
                m => m.Exit(0, [new MapSpan(Base, Base + FourGiB, false)], null)
            ),
        ]
    );

    private static readonly PmapScenario SharedPageProtectNone = new(
        "SharedPageProtectNone",
        "a page shared by two processes, both running and cached in TLBs, protected to NONE by the pagedaemon",
        [
            Lines(
                "two processes map page 2, one also page 3; both run and touch them",
                "Enter(pmap: 0, va: 0x3fc000, page: 2, prot: rw_, access: _w_)",
                "Enter(pmap: 1, va: 0x40000000, page: 2, prot: r_x, access: r__, wired: true)",
                "Enter(pmap: 1, va: 0x40001000, page: 3, prot: r__, access: r__)",
                "Activate(cpu: 0, pmap: 0)",
                "Activate(cpu: 1, pmap: 1)",
                "Access(cpu: 0, va: 0x3fc000, kind: r__)",
                "Access(cpu: 1, va: 0x40000000, kind: __x)",
                "Access(cpu: 1, va: 0x40001000, kind: r__)"
            ),
            Lines("the pagedaemon: pmap_page_protect(page 2, PROT_NONE)", "PageProtect(page: 2, prot: ___)"),
        ]
    );

    private static readonly PmapScenario AsidRollover = new(
        "AsidRollover",
        "three processes on a pool of two ASID pairs: the third activation rolls the generation over",
        [
            Lines(
                "processes 0 and 1 run on cpus 0 and 1, taking ASID pairs 2 and 4",
                "Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: r__)",
                "Enter(pmap: 1, va: 0x3fc000, page: 1, prot: r__, access: r__)",
                "Activate(cpu: 0, pmap: 0)",
                "Activate(cpu: 1, pmap: 1)",
                "Access(cpu: 0, va: 0x3fc000, kind: r__)",
                "Access(cpu: 1, va: 0x3fc000, kind: r__)"
            ),
            Lines(
                "process 2 replaces process 0 on cpu 0: no free pair, so a rollover keeps cpu 1's pair and flushes every TLB; process 0 then replaces process 1 on cpu 1 and its stale generation rolls over again",
                "Enter(pmap: 2, va: 0x3fc000, page: 2, prot: r__, access: r__)",
                "Activate(cpu: 0, pmap: 2)",
                "Access(cpu: 0, va: 0x3fc000, kind: r__)",
                "Activate(cpu: 1, pmap: 0)",
                "Access(cpu: 1, va: 0x3fc000, kind: r__)"
            ),
        ]
    );

    private static Phase Lines(string name, params string[] lines)
    {
        var ops = lines.Select(PmapOpParser.Parse).ToArray();
        return new Phase(
            name,
            lines,
            m =>
            {
                var side = new PmapSide("snapshot", m, () => []);
                foreach (var op in ops)
                    side.Apply(op);
            }
        );
    }

    public static SnapshotSuite Suite(string directory, string first, string second, bool rollover) =>
        new(
            directory,
            [
                .. (
                    (PmapScenario[])(
                        rollover
                            ? [Seed004Exit, SharedPageProtectNone, AsidRollover]
                            : [Seed004Exit, SharedPageProtectNone]
                    )
                ).Select(scenario => new SnapshotCase(
                    scenario.Name,
                    scenario.Description,
                    () => Render(first, scenario),
                    () => [(second, Render(second, scenario))]
                )),
            ]
        );

    public static IReadOnlyList<SnapshotSuite> All =>
        [
            Suite("amd64", "amd64-kernel", "amd64-sparse", rollover: false),
            Suite("arm64", "arm64-1.113", "arm64-seed004", rollover: true),
        ];

    private static string Render(string machineName, PmapScenario scenario)
    {
        var machine = PmapLayer.Machine(machineName, FaultSet.None).Machine;
        machine.Reset();
        var sb = new StringBuilder($"# {scenario.Description}\n");
        foreach (var phase in scenario.Phases)
        {
            phase.Run(machine);
            sb.Append($"\n## {phase.Name}\n");
            foreach (var op in phase.Ops)
                sb.Append(op).Append('\n');
            var text = new PmapTextObserver();
            machine.Walk(text);
            sb.Append("\nobserved:\n");
            foreach (var line in text.Lines)
                sb.Append("  ").Append(line).Append('\n');
            sb.Append("machine:\n");
            foreach (var line in ((IPmapDump)machine).Dump())
                sb.Append("  ").Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
