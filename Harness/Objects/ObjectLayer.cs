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
        [new ObjectSide(faults == FaultSet.None ? "rbtree" : $"rbtree+{faults}", new RangeRoutines(faults))];

    public ObjOp Parse(string line) => ObjOpParser.Parse(line);
}
