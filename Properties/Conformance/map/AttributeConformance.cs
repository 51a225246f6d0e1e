using UvmDiff.Spec.Map;
using Xunit;
using static UvmDiff.Properties.Conformance.Map.MapOnTheReference;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>uvm_map_protect, uvm_map_inherit, uvm_map_immutable and uvm_map_advice (uvm_map.c 1.346).</summary>
[Trait("Category", "Conformance")]
public class AttributeConformance
{
    /// <summary>Each routine: `if (start > end) return EINVAL` (a range that wraps), and after clamping to the map, `if (start >= end) return 0`.</summary>
    [Fact]
    public void WrappingRangeIsEinval_AndARangeBelowTheMapIsANoOp() =>
        Expect(
            [
                "Mprotect(addr: 0xfffffffffffff000, size: 0x2000, prot: R)",
                "Mprotect(addr: 0x0, size: 0x1000, prot: R)",
                "Minherit(addr: 0xfffffffffffff000, size: 0x2000, inherit: None)",
                "Minherit(addr: 0x0, size: 0x1000, inherit: None)",
                "Mimmutable(addr: 0xfffffffffffff000, size: 0x2000)",
                "Mimmutable(addr: 0x0, size: 0x1000)",
                "Madvise(addr: 0xfffffffffffff000, size: 0x2000, advice: Random)",
                "Madvise(addr: 0x0, size: 0x1000, advice: Random)",
            ],
            "EINVAL, Ok, EINVAL, Ok, EINVAL, Ok, EINVAL, Ok",
            NoObjectRefs,
            "size 0x0"
        );

    /// <summary>uvm_map_protect validates every entry first: `(new_prot & iter->max_protection) != new_prot` is EACCES before any clip.</summary>
    [Fact]
    public void Mprotect_AboveMaxProtection_IsEaccesAndClipsNothing() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: R, kind: FileShared, obj: 1, off: 0x0, max: RX)",
                "Mprotect(addr: 0x11000, size: 0x1000, prot: RW)",
            ],
            "Ok, EACCES",
            "0x10000-0x14000 r--/r-x share normal wired 0 obj free 0xfffffffffffeb000 obj 1@0x0"
        );

    /// <summary>checkimmutable: an IMMUTABLE entry in the range is EPERM before any clip.</summary>
    [Fact]
    public void Mprotect_OfImmutable_IsEperm() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Private)",
                "Mimmutable(addr: 0x10000, size: 0x2000)",
                "Mprotect(addr: 0x11000, size: 0x1000, prot: R)",
            ],
            "Ok, Ok, EPERM",
            "0x10000-0x12000 rw-/rwx copy normal wired 0 cow,nc,imm free 0xfffffffffffed000"
        );

    /// <summary>
    /// HOLEs and unmapped space are skipped ("Treat memory holes as free space"); an entry whose
    /// protection does not change is neither clipped nor touched; one that changes is clipped to the range.
    /// </summary>
    [Fact]
    public void Mprotect_SkipsHolesAndUnchangedEntries_ClipsTheOthers() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: None, kind: Hole)",
                "Mmap(addr: 0x12000, size: 0x2000, prot: R, kind: Private)",
                "Mmap(addr: 0x14000, size: 0x4000, prot: RW, kind: Private)",
                "Mprotect(addr: 0x10000, size: 0x7000, prot: R)",
            ],
            "Ok, Ok, Ok, Ok",
            "0x10000-0x11000 ---/--- none normal wired 0 hole free 0x1000",
            "0x12000-0x14000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "0x14000-0x17000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "0x17000-0x18000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffe7000"
        );

    /// <summary>
    /// Mirror: `if ((iter->protection & mask) == PROT_NONE && VM_MAPENT_ISWIRED(iter)) iter->wired_count = 0`
    /// with mask ~PROT_WRITE on a COPYONWRITE entry: made write-only, it loses its wired count, and its
    /// page stays wired (nothing unwires it).
    /// </summary>
    [Fact]
    public void Mprotect_CopyOnWriteWiredToWriteOnly_ResetsWiredCountAndLeavesThePageWired() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mlock(addr: 0x10000, size: 0x1000)",
                "Mprotect(addr: 0x10000, size: 0x1000, prot: W)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x11000 -w-/rwx copy normal wired 0 cow free 0xfffffffffffee000 amap 1@0",
            "amap 1 slots 1 refs 1",
            "  slot 0 anon 1",
            "anon 1 refs 1 wired 1",
            NoObjectRefs,
            "size 0x1000"
        );

    /// <summary>The same reset on a shared file mapping made PROT_NONE; a change to anything else keeps the count.</summary>
    [Fact]
    public void Mprotect_WiredToNone_ResetsWiredCount_OtherChangesKeepIt() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: FileShared, obj: 1, off: 0x0)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: RW, kind: FileShared, obj: 1, off: 0x1000)",
                "Mlock(addr: 0x10000, size: 0x2000)",
                "Mprotect(addr: 0x10000, size: 0x1000, prot: None)",
                "Mprotect(addr: 0x11000, size: 0x1000, prot: R)",
            ],
            "Ok, Ok, Ok, Ok, Ok",
            "0x10000-0x11000 ---/rwx share normal wired 0 obj free 0x0 obj 1@0x0",
            "0x11000-0x12000 r--/rwx share normal wired 1 obj free 0xfffffffffffed000 obj 1@0x1000",
            "page obj 1@0x0 wired 1",
            "page obj 1@0x1000 wired 1",
            "obj 1 refs 3|obj 2 refs 1|obj 3 refs 1",
            "size 0x2000"
        );

    /// <summary>uvm_map_inherit: `switch (new_inheritance)` refuses anything but NONE, COPY, SHARE and ZERO.</summary>
    [Fact]
    public void Minherit_UnknownValue_IsEinval() =>
        Assert.Equal("EINVAL", Attributes.SetInherit(new VmMap(), 0x10000, 0x11000, (Inherit)4));

    /// <summary>
    /// Mirror: uvm_map_inherit clips the start (`if (entry->end > start) UVM_MAP_CLIP_START`) before its
    /// check loop, and EPERM on an IMMUTABLE entry leaves that clip in place.
    /// </summary>
    [Fact]
    public void Minherit_EpermOnImmutable_KeepsItsStartClip() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)",
                "Mimmutable(addr: 0x12000, size: 0x2000)",
                "Minherit(addr: 0x11000, size: 0x2000, inherit: None)",
            ],
            "Ok, Ok, EPERM",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x12000-0x14000 rw-/rwx copy normal wired 0 cow,nc,imm free 0xfffffffffffeb000"
        );

    /// <summary>Mirror: MAP_INHERIT_ZERO on an entry without PROT_WRITE is EPERM, after the start clip.</summary>
    [Fact]
    public void Minherit_ZeroOnReadOnly_IsEpermAfterItsStartClip() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: R, kind: Private)",
                "Minherit(addr: 0x11000, size: 0x1000, inherit: Zero)",
            ],
            "Ok, EPERM",
            "0x10000-0x11000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x14000 r--/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000"
        );

    /// <summary>
    /// A start in free space moves to the next entry (`else entry = RBT_NEXT`), as does a start before the
    /// first entry; each entry in the range is clipped at the end and takes the inheritance.
    /// </summary>
    [Fact]
    public void Minherit_FromFreeSpace_StartsAtTheNextEntryAndClipsTheEnd() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x13000, size: 0x2000, prot: RW, kind: Private)",
                "Minherit(addr: 0x11000, size: 0x3000, inherit: Share)",
                "Minherit(addr: 0x2000, size: 0xf000, inherit: Zero)",
            ],
            "Ok, Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx zero normal wired 0 cow,nc free 0x2000",
            "0x13000-0x14000 rw-/rwx share normal wired 0 cow,nc free 0x0",
            "0x14000-0x15000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffea000"
        );

    /// <summary>Mirror: uvm_map_immutable also clips the start first, and an INHERIT_ZERO entry then makes it EPERM.</summary>
    [Fact]
    public void Mimmutable_EpermOnInheritZero_KeepsItsStartClip() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)",
                "Minherit(addr: 0x12000, size: 0x2000, inherit: Zero)",
                "Mimmutable(addr: 0x11000, size: 0x2000)",
            ],
            "Ok, Ok, EPERM",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x12000-0x14000 rw-/rwx zero normal wired 0 cow,nc free 0xfffffffffffeb000"
        );

    /// <summary>uvm_map_advice: only NORMAL, RANDOM and SEQUENTIAL (WILLNEED is handled by sys_madvise, not here); both ends clipped.</summary>
    [Fact]
    public void Madvise_ClipsBothEnds_AndRefusesOtherAdvice() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x3000, prot: RW, kind: Private)",
                "Madvise(addr: 0x11000, size: 0x1000, advice: Sequential)",
                "Madvise(addr: 0x10000, size: 0x1000, advice: WillNeed)",
                "Madvise(addr: 0x2000, size: 0x10000, advice: Random)",
            ],
            "Ok, Ok, EINVAL, Ok",
            "0x10000-0x11000 rw-/rwx copy random wired 0 cow,nc free 0x0",
            "0x11000-0x12000 rw-/rwx copy random wired 0 cow,nc free 0x0",
            "0x12000-0x13000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffec000"
        );

    /// <summary>A start in an entry's free space moves to the next entry.</summary>
    [Fact]
    public void Madvise_FromFreeSpace_StartsAtTheNextEntry() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x12000, size: 0x1000, prot: RW, kind: Private)",
                "Madvise(addr: 0x11000, size: 0x2000, advice: Random)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x1000",
            "0x12000-0x13000 rw-/rwx copy random wired 0 cow,nc free 0xfffffffffffec000"
        );
}
