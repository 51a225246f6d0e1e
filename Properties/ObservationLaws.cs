using Xunit;
using static UvmDiff.Properties.BothSides;

namespace UvmDiff.Properties;

/// <summary>
/// The observation walk both sides share: each object lists exactly its own resident pages, swap
/// slots and file blocks, then both queues in order. A walk that mixed objects up would still agree
/// between the sides, so the whole text is pinned once here.
/// </summary>
[Trait("Category", "Law")]
public class ObservationLaws
{
    [Fact]
    public void Observation_OfASmallMachine_ListsEachObjectsOwnPagesSlotsAndBlocksThenTheQueues()
    {
        var (_, obs) = Run(
            "Alloc(obj: 1, off: 0x0)",
            "Alloc(obj: 1, off: 0x5000)",
            "PageOut(obj: 1, off: 0x5000)",
            "Alloc(obj: 2, off: 0x1000)",
            "Dirty(obj: 2, off: 0x1000)",
            "Flush(obj: 2, start: 0x1000, stop: 0x2000, flags: CleanIt)",
            "Alloc(obj: 3, off: 0x2000)",
            "Deactivate(obj: 3, off: 0x2000)"
        );
        Assert.Equal(
            [
                "uvmexp free 93 active 2 inactive 1 wired 0 swpginuse 1 swpgonly 1",
                "obj 1 aobj refs 1 npages 1",
                "  page 0x0 TABLED|ACTIVE|AOBJ wire 0 data 0 mapped rw",
                "  swap 0x5000 data 0",
                "obj 2 vnode refs 1 npages 1",
                "  page 0x1000 TABLED|CLEAN|CLEANCHK|ACTIVE wire 0 data 1 mapped r",
                "  file 0x1000 data 1",
                "obj 3 kernel aobj refs 1 npages 1",
                "  page 0x2000 TABLED|INACTIVE|AOBJ wire 0 data 0",
                "active queue: obj 1 page 0x0",
                "active queue: obj 2 page 0x1000",
                "inactive queue: obj 3 page 0x2000",
            ],
            obs
        );
    }
}
