using UvmDiff.Harness.Core;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Objects;
using UvmDiff.Spec.Routines;

namespace UvmDiff.Harness.Objects;

/// <summary>
/// The object/page layer: the per-offset reference against the range-iterator implementation.
/// </summary>
public sealed class ObjectLayer : ILayer<ObjOp>
{
    public static readonly ObjectLayer Instance = new();

    public string Name => "objects";

    public ISide<ObjOp> CreateReference() => new ObjectSide("reference", ReferenceRoutines.Instance);

    public IReadOnlyList<ISide<ObjOp>> CreateImplementations(FaultSet faults) =>
        [new ObjectSide(faults.IsNone ? "rbtree" : $"rbtree+{faults}", new RangeRoutines(faults))];

    public ObjOp Parse(string line) => ObjOpParser.Parse(line);

    public IReadOnlyList<string> OpKinds { get; } =
    [
        "Alloc",
        "Busy",
        "Unbusy",
        "Dirty",
        "Deactivate",
        "PageOut",
        "FreePage",
        "Lookup",
        "Wire",
        "Unwire",
        "Flush (uao_flush)",
        "Flush (uvn_flush)",
        "KmPgremove",
        "Ref",
        "Unref",
    ];

    public int KindOf(ObjOp op) =>
        op switch
        {
            Alloc => 0,
            Busy => 1,
            Unbusy => 2,
            Dirty => 3,
            Deactivate => 4,
            PageOut => 5,
            FreePage => 6,
            Lookup => 7,
            Wire => 8,
            Unwire => 9,
            Flush f => f.Obj == ObjectWorld.VnodeId ? 11 : 10,
            KmPgremove => 12,
            Ref => 13,
            _ => 14,
        };

    public IReadOnlyList<string> Probes => ObjectProbes.Names;

    public void Generate(ref Rng rng, int maxOps, List<ObjOp> into) => ObjectGen.Sequence(ref rng, maxOps, into);

    public IEnumerable<ObjOp[]> Shrink(ObjOp[] ops) => ObjectShrink.List(ops);
}
