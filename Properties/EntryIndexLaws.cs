using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UvmDiff.Implementations.Map;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The entry containers on their own: random insertions and removals of tiling entries, against a
/// sorted list (entries 64 KiB apart, so free spaces never overlap), on the RB tree and on B+-trees of several fan-outs (3 splits and merges at every step).
/// After every step the structure's own checks hold and lookup, neighbours and first fit agree with the list.
/// </summary>
public class EntryIndexLaws
{
    public static IEnumerable<object[]> Indexes() =>
        [
            ["rbtree"],
            ["btree3"],
            ["btree4"],
            ["btree16"],
            ["btree64"],
        ];

    private static IEntryIndex Create(string name) =>
        name == "rbtree" ? new RbTreeIndex() : new BTreeIndex(int.Parse(name[5..]), int.Parse(name[5..]));

    [Theory]
    [MemberData(nameof(Indexes))]
    public void RandomInsertsAndRemoves_KeepStructureAndAgreeWithSortedList(string name)
    {
        var steps = Gen.ListOf(Gen.Choose(0, 199)).Select(l => l.ToArray());
        Prop.ForAll(
                steps.ToArbitrary(),
                keys =>
                {
                    var index = Create(name);
                    var model = new SortedDictionary<ulong, VmEntry>();
                    foreach (int key in keys)
                    {
                        ulong start = (ulong)key * 0x10000 + 0x10000;
                        if (model.Remove(start, out var old))
                            index.Remove(old);
                        else
                        {
                            var entry = new VmEntry
                            {
                                Start = start,
                                End = start + 0x1000,
                                FreeSpace = (ulong)(key % 7) * 0x1000,
                            };
                            model[start] = entry;
                            index.Insert(entry);
                        }
                        Assert.Null(index.Check());
                    }
                    Assert.Equal(model.Count, index.Count);
                    var list = model.Values.ToList();
                    var walked = new List<VmEntry>();
                    for (var e = index.First; e is not null; e = index.Next(e))
                        walked.Add(e);
                    Assert.Equal(list, walked);
                    for (int i = 0; i < list.Count; i++)
                    {
                        Assert.Same(i > 0 ? list[i - 1] : null, index.Prev(list[i]));
                        Assert.Same(list[i], index.ByAddr(list[i].Start));
                    }
                    for (ulong size = 0x1000; size <= 0x7000; size += 0x1000)
                        Assert.Same(list.FirstOrDefault(e => e.FreeSpace >= size), index.FirstFit(size));
                }
            )
            .QuickCheckThrowOnFailure();
    }
}
