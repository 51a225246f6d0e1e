using UvmDiff.Harness.Objects;
using UvmDiff.Spec;
using UvmDiff.Spec.Objects;
using UvmDiff.Spec.Pages;
using UvmDiff.Spec.Routines;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// The fingerprint is what the runner compares after every step, so a field it leaves out is a field
/// no campaign checks. Each case changes exactly one observed field of a settled machine by hand and
/// demands that the text observation, the full-walk fingerprint and the incremental fingerprint all
/// change, and that the two fingerprints still agree.
/// </summary>
[Trait("Category", "Law")]
public class FingerprintLaws
{
    private static readonly string[] Setup =
    [
        "Alloc(obj: 1, off: 0x0)",
        "Alloc(obj: 1, off: 0x5000)",
        "PageOut(obj: 1, off: 0x5000)",
        "Alloc(obj: 1, off: 0x6000, fail: true)",
        "Alloc(obj: 2, off: 0x1000)",
        "Alloc(obj: 2, off: 0x2000)",
        "Dirty(obj: 2, off: 0x1000)",
        "Flush(obj: 2, start: 0x1000, stop: 0x2000, flags: CleanIt)",
        "Alloc(obj: 3, off: 0x2000)",
        "Alloc(obj: 3, off: 0x3000)",
        "Deactivate(obj: 3, off: 0x2000)",
        "Deactivate(obj: 3, off: 0x3000)",
        "Wire(obj: 1, start: 0x8000, stop: 0x9000)",
    ];

    private static readonly Dictionary<string, Action<Uvm>> Changes = new()
    {
        ["flag BUSY"] = uvm => Page(uvm, 2, 0x1000).Flags |= PgFlags.Busy,
        ["flag WANTED"] = uvm => Page(uvm, 2, 0x1000).Flags |= PgFlags.Wanted,
        ["flag CLEAN"] = uvm => Page(uvm, 2, 0x1000).Flags &= ~PgFlags.Clean,
        ["flag CLEANCHK"] = uvm => Page(uvm, 2, 0x1000).Flags &= ~PgFlags.CleanChk,
        ["flag RELEASED"] = uvm => Page(uvm, 2, 0x1000).Flags |= PgFlags.Released,
        ["flag FAKE"] = uvm => Page(uvm, 2, 0x1000).Flags |= PgFlags.Fake,
        ["flag TABLED"] = uvm => Page(uvm, 2, 0x1000).Flags &= ~PgFlags.Tabled,
        ["flag AOBJ"] = uvm => Page(uvm, 1, 0x0).Flags &= ~PgFlags.QueueAobj,
        ["queue the page is on"] = uvm =>
        {
            uvm.Active.Remove(Page(uvm, 2, 0x1000));
            uvm.Inactive.InsertTail(Page(uvm, 2, 0x1000));
        },
        ["wire count"] = uvm => Page(uvm, 1, 0x8000).WireCount++,
        ["contents"] = uvm => Page(uvm, 2, 0x1000).Data++,
        ["pmap modified bit"] = uvm => Page(uvm, 2, 0x2000).PmapModified = true,
        ["mapping state"] = uvm => Page(uvm, 2, 0x2000).Mapping = PmapMapping.Read,
        ["page offset"] = uvm => Page(uvm, 2, 0x2000).Offset = 0x7000,
        ["swap slot dropped"] = uvm => Aobj.SetSwslot(Aobj1(uvm), 5, 0),
        ["swap slot made bad"] = uvm => Aobj.SetSwslot(Aobj1(uvm), 5, SwapSpace.SlotBad),
        ["swap slot contents"] = uvm => Aobj1(uvm).StoreSlotData(5, 99),
        ["bad slot repaired"] = uvm => Aobj.SetSwslot(Aobj1(uvm), 6, 200),
        ["file block"] = uvm => ((VnodeObject)uvm.Objects[1]).WriteBlock(7, 5),
        ["queue order"] = SwapInactiveOrder,
        ["counter free"] = uvm => uvm.Exp.Free++,
        ["counter active"] = uvm => uvm.Exp.Active++,
        ["counter inactive"] = uvm => uvm.Exp.Inactive++,
        ["counter wired"] = uvm => uvm.Exp.Wired++,
        ["counter swpginuse"] = uvm => uvm.Exp.SwpgInUse++,
        ["counter swpgonly"] = uvm => uvm.Exp.SwpgOnly++,
        ["object refs"] = uvm => uvm.Objects[1].Refs++,
        ["object npages"] = uvm => uvm.Objects[2].NPages++,
    };

    public static TheoryData<string> Fields() => [.. Changes.Keys];

    [Theory]
    [MemberData(nameof(Fields))]
    public void OneObservedField_Changed_ChangesBothFingerprintsAlike(string field)
    {
        var side = new ObjectSide("reference", ReferenceRoutines.Instance);
        foreach (var line in Setup)
            Assert.False(side.Apply(ObjOpParser.Parse(line)).IsFatal, line);
        var text = side.Observe();
        ulong full = side.FullFingerprint();
        Assert.Equal(full, side.Fingerprint());

        Changes[field](side.Machine);
        side.Apply(ObjOpParser.Parse("Lookup(obj: 2, off: 0x1000)"));

        Assert.NotEqual(text, side.Observe());
        Assert.NotEqual(full, side.FullFingerprint());
        Assert.Equal(side.FullFingerprint(), side.Fingerprint());
    }

    private static VmPage Page(Uvm uvm, int obj, long off) => uvm.FindObject(obj)!.Pages.Lookup(off)!;

    private static AnonObject Aobj1(Uvm uvm) => (AnonObject)uvm.Objects[0];

    /// <summary>The two pages of the inactive queue change places: same pages, same flags, other order.</summary>
    private static void SwapInactiveOrder(Uvm uvm)
    {
        var queue = uvm.Inactive;
        var first = queue.Head!;
        var second = first.QueueNext!;
        Assert.Null(second.QueueNext);
        queue.Remove(first);
        queue.InsertTail(first);
    }
}
