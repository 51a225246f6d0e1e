using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Pmap.Amd64;
using UvmDiff.Implementations.Pmap.Arm64;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>Which architectures a pmap layer runs: <c>--arch amd64|arm64|both</c>.</summary>
public enum ArchChoice
{
    Amd64,
    Arm64,
    Both,
}

/// <summary>
/// The pmap layer: the reference under each architecture's profile against the simulated amd64
/// (kernel and sparse teardown) and arm64 (1.113 and seed 004's teardown) pmaps. With both
/// architectures the sides are pairs, one machine of each, compared line by line per architecture.
/// </summary>
public sealed class PmapLayer(ArchChoice arch) : ILayer<PmapOp>
{
    public static readonly PmapLayer Amd64 = new(ArchChoice.Amd64);
    public static readonly PmapLayer Arm64 = new(ArchChoice.Arm64);
    public static readonly PmapLayer Both = new(ArchChoice.Both);

    public ArchChoice Arch { get; } = arch;

    public string Name => "pmap";

    /// <summary>=> the layer for an --arch value (null: both); throws LayerOptionException for anything else</summary>
    public static PmapLayer For(string? arch) =>
        arch?.ToLowerInvariant() switch
        {
            null or "both" => Both,
            "amd64" => Amd64,
            "arm64" => Arm64,
            _ => throw new LayerOptionException($"--arch must be amd64, arm64 or both, not '{arch}'"),
        };

    public string? Unreachable(Fault fault)
    {
        (string missing, IReadOnlyList<Fault> unreachable) = Arch switch
        {
            ArchChoice.Amd64 => ("arm64", Implementations.Pmap.PmapFaults.Arm64Only),
            ArchChoice.Arm64 => ("amd64", Implementations.Pmap.PmapFaults.Amd64Only),
            _ => ("", []),
        };
        return unreachable.Contains(fault)
            ? $"fault {fault.Name} changes the {missing} pmap, which --arch {Arch.ToString().ToLowerInvariant()} does not run"
            : null;
    }

    private static PmapSide Reference(Spec.Pmap.Arch arch) =>
        new($"reference-{arch.ToString().ToLowerInvariant()}", new ReferencePmap(PmapProfile.Of(arch)), () => []);

    public static PmapSide Machine(string name, FaultSet faults)
    {
        string suffix = faults.IsNone ? "" : $"+{faults}";
        switch (name)
        {
            case "amd64-kernel":
            case "amd64-sparse":
                var amd64 = new Amd64Pmap(faults, name == "amd64-kernel" ? Amd64Teardown.Kernel : Amd64Teardown.Sparse);
                return new PmapSide(name + suffix, amd64, () => amd64.Probes);
            default:
                var arm64 = new Arm64Pmap(
                    faults,
                    name == "arm64-1.113" ? Arm64Teardown.Purge113 : Arm64Teardown.Seed004
                );
                return new PmapSide(name + suffix, arm64, () => arm64.Probes);
        }
    }

    public ISide<PmapOp> CreateReference() =>
        Arch switch
        {
            ArchChoice.Amd64 => Reference(Spec.Pmap.Arch.Amd64),
            ArchChoice.Arm64 => Reference(Spec.Pmap.Arch.Arm64),
            _ => new ArchPairSide<PmapOp>(Reference(Spec.Pmap.Arch.Amd64), Reference(Spec.Pmap.Arch.Arm64)),
        };

    public IReadOnlyList<ISide<PmapOp>> CreateImplementations(FaultSet faults) =>
        Arch switch
        {
            ArchChoice.Amd64 => [Machine("amd64-kernel", faults), Machine("amd64-sparse", faults)],
            ArchChoice.Arm64 => [Machine("arm64-1.113", faults), Machine("arm64-seed004", faults)],
            _ =>
            [
                new ArchPairSide<PmapOp>(Machine("amd64-kernel", faults), Machine("arm64-1.113", faults)),
                new ArchPairSide<PmapOp>(Machine("amd64-sparse", faults), Machine("arm64-seed004", faults)),
            ],
        };

    public PmapOp Parse(string line) => PmapOpParser.Parse(line);

    public IReadOnlyList<string> OpKinds { get; } =
    [
        "Enter",
        "Remove",
        "Protect",
        "PageProtect",
        "Unwire",
        "Extract",
        "IsReferenced/IsModified",
        "ClearReference/ClearModify",
        "Activate",
        "Deactivate",
        "Access",
        "Exit",
        "Exit with a PV walk",
        "Exec",
    ];

    public int KindOf(PmapOp op) =>
        op switch
        {
            Enter => 0,
            Remove => 1,
            Protect => 2,
            PageProtect => 3,
            Unwire => 4,
            Extract => 5,
            PageOp { Query: PageQuery.IsReferenced or PageQuery.IsModified } => 6,
            PageOp => 7,
            Activate => 8,
            Deactivate => 9,
            Access => 10,
            Exit { Walk: null } => 11,
            Exit => 12,
            _ => 13,
        };

    public IReadOnlyList<string> Probes => Implementations.Pmap.PmapProbes.Names;

    public void Generate(ref Rng rng, int maxOps, List<PmapOp> into) => PmapGen.Sequence(ref rng, maxOps, into);

    public IEnumerable<PmapOp[]> Shrink(PmapOp[] ops) => PmapShrink.List(ops);
}
