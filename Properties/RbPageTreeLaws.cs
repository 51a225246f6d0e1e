using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UvmDiff.Implementations.Objects;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pages;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The red-black page tree against a sorted model: every insert/remove sequence keeps the RB rules,
/// and every lookup, lower-bound search and NFIND/NEXT walk agrees with the model.
/// </summary>
public sealed class RbPageTreeLaws
{
    private const int Slots = 64;

    public enum OpKind
    {
        Insert,
        Remove,
    }

    /// <summary>
    /// One step. <see cref="Pick"/> chooses the page object: below 4 with a non-empty pool it reuses
    /// a page removed earlier (its node must be relinked, not replaced); otherwise a fresh page.
    /// </summary>
    public readonly record struct Op(OpKind Kind, int Slot, int Pick)
    {
        public override string ToString() => $"{Kind}({Slot},{Pick})";
    }

    /// <summary>Insert/remove sequences for <c>[Property(Arbitrary = ...)]</c>, shrunk by dropping chunks.</summary>
    public static class Sequences
    {
        public static Arbitrary<Op[]> Ops() => OpSequences();
    }

    private static Arbitrary<Op[]> OpSequences()
    {
        var op =
            from kind in Gen.Frequency((3, Gen.Constant(OpKind.Insert)), (2, Gen.Constant(OpKind.Remove)))
            from slot in Gen.Choose(0, Slots - 1)
            from pick in Gen.Choose(0, 7)
            select new Op(kind, slot, pick);
        var ops = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(op, n));
        return Arb.From(ops, ShrinkOps);
    }

    private static IEnumerable<Op[]> ShrinkOps(Op[] ops)
    {
        for (int chunk = ops.Length / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= ops.Length; start += chunk)
                yield return [.. ops[..start], .. ops[(start + chunk)..]];
        }
    }

    [Property(Arbitrary = [typeof(Sequences)], MaxTest = 300, QuietOnSuccess = true)]
    public void RandomInsertRemove_AfterEveryStep_MatchesSortedModelAndRbRules(Op[] ops)
    {
        var tree = new RbPageTree();
        var model = new VmPage?[Slots];
        var pool = new List<VmPage>();
        int frame = 0;

        foreach (var op in ops)
        {
            long offset = op.Slot * K.PageSize;
            var present = model[op.Slot];
            if (op.Kind == OpKind.Insert)
            {
                var page = TakePage(pool, op.Pick, ref frame);
                page.Offset = offset;
                var linkBefore = page.TreeLink;
                var existing = tree.Insert(page);
                if (present != null)
                {
                    Assert.Same(present, existing);
                    Assert.Same(linkBefore, page.TreeLink);
                    pool.Add(page);
                }
                else
                {
                    Assert.Null(existing);
                    var node = Assert.IsType<RbNode>(page.TreeLink);
                    if (linkBefore != null)
                        Assert.Same(linkBefore, node);
                    model[op.Slot] = page;
                }
            }
            else if (present != null)
            {
                tree.Remove(present);
                Assert.False(Assert.IsType<RbNode>(present.TreeLink).InTree);
                model[op.Slot] = null;
                pool.Add(present);
            }
            else
            {
                var stray = TakePage(pool, op.Pick, ref frame);
                Assert.Throws<KernelPanic>(() => tree.Remove(stray));
                pool.Add(stray);
            }

            AssertMatchesModel(tree, model);
        }
    }

    [Fact]
    public void Next_OnRemovedPage_ReturnsNull()
    {
        var tree = new RbPageTree();
        var pages = InsertSlots(tree, 0, 1, 2, 3, 4);

        tree.Remove(pages[2]);

        Assert.Null(tree.Next(pages[2]));
        Assert.Same(pages[3], tree.Next(pages[1]));
        Assert.Null(tree.Validate());
    }

    [Fact]
    public void Insert_DuplicateOffset_ReturnsExistingAndLeavesCountUnchanged()
    {
        var tree = new RbPageTree();
        var pages = InsertSlots(tree, 3, 1, 5);
        var duplicate = new VmPage(99, new Changes()) { Offset = 1 * K.PageSize };

        var existing = tree.Insert(duplicate);

        Assert.Same(pages[1], existing);
        Assert.Equal(3, tree.Count);
        Assert.Same(pages[1], tree.Lookup(1 * K.PageSize));
        Assert.Null(duplicate.TreeLink);
        Assert.Null(tree.Validate());
    }

    [Fact]
    public void Remove_PageOfAnotherTree_PanicsAndLeavesBothTreesValid()
    {
        var first = new RbPageTree();
        var second = new RbPageTree();
        var firstPages = InsertSlots(first, 0, 1, 2);
        InsertSlots(second, 7, 8);

        Assert.Throws<KernelPanic>(() => second.Remove(firstPages[1]));

        Assert.Equal(3, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Null(first.Validate());
        Assert.Null(second.Validate());
    }

    [Fact]
    public void Insert_PageStillInAnotherTree_Panics()
    {
        var first = new RbPageTree();
        var second = new RbPageTree();
        var pages = InsertSlots(first, 4);

        Assert.Throws<KernelPanic>(() => second.Insert(pages[0]));

        Assert.Equal(0, second.Count);
        Assert.Null(first.Validate());
    }

    /// <summary>The benchmark's claim: a NFIND/NEXT range walk costs O(n) nodes, not n lookups of O(log n).</summary>
    [Fact]
    public void NFindNextWalk_OverWholeTree_VisitsFewerThanFourNodesPerPage()
    {
        const int n = 1024;
        var tree = new RbPageTree();
        for (int i = 0; i < n; i++)
            Assert.Null(tree.Insert(new VmPage(i, new Changes()) { Offset = (i * 389 % n) * K.PageSize }));
        tree.NodesVisited = 0;

        int walked = 0;
        for (var page = tree.NFind(0); page != null; page = tree.Next(page))
            walked++;

        Assert.Equal(n, walked);
        Assert.InRange(tree.NodesVisited, n, 4L * n - 1);
    }

    private static VmPage TakePage(List<VmPage> pool, int pick, ref int frame)
    {
        if (pick < 4 && pool.Count > 0)
        {
            int at = pick % pool.Count;
            var page = pool[at];
            pool.RemoveAt(at);
            return page;
        }
        return new VmPage(frame++, new Changes());
    }

    private static VmPage[] InsertSlots(RbPageTree tree, params int[] slots)
    {
        var pages = new VmPage[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            pages[i] = new VmPage(slots[i], new Changes()) { Offset = slots[i] * K.PageSize };
            Assert.Null(tree.Insert(pages[i]));
        }
        return pages;
    }

    private static void AssertMatchesModel(RbPageTree tree, VmPage?[] model)
    {
        Assert.Null(tree.Validate());

        var expected = new List<VmPage>();
        foreach (var page in model)
        {
            if (page != null)
                expected.Add(page);
        }
        Assert.Equal(expected.Count, tree.Count);

        var inOrder = new List<VmPage>();
        tree.CollectInOrder(inOrder);
        Assert.Equal(expected, inOrder);

        for (int slot = 0; slot <= Slots; slot++)
        {
            long offset = slot * K.PageSize;
            var atSlot = slot < Slots ? model[slot] : null;
            Assert.Same(atSlot, tree.Lookup(offset));
            Assert.Same(atSlot ?? FirstAtOrAfter(model, slot + 1), tree.NFind(offset));
            Assert.Same(FirstAtOrAfter(model, slot + 1), tree.NFind(offset + 1));
        }

        var walked = new List<VmPage>();
        for (var page = tree.NFind(0); page != null && walked.Count <= expected.Count; page = tree.Next(page))
            walked.Add(page);
        Assert.Equal(expected, walked);
    }

    private static VmPage? FirstAtOrAfter(VmPage?[] model, int slot)
    {
        for (int i = slot; i < model.Length; i++)
        {
            if (model[i] != null)
                return model[i];
        }
        return null;
    }
}
