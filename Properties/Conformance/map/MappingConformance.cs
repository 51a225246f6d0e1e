using UvmDiff.Spec.Map;
using Xunit;
using static UvmDiff.Properties.Conformance.Map.MapOnTheReference;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>
/// uvm_map / uvm_mapanon with UVM_FLAG_FIXED|UVM_FLAG_UNMAP (mmap MAP_FIXED), the model's first-fit
/// placement, sys_munmap (uvm_map_checkprot, then uvm_unmap_remove), uvm_map_mkentry and
/// uvm_mapent_mkfree. The map spans [0x1000, 0xfffffffffffff000): the free space after an entry ending at
/// E is 0xfffffffffffff000 - E when nothing follows it.
/// </summary>
[Trait("Category", "Conformance")]
public class MappingConformance
{
    /// <summary>sys_mmap MAP_PRIVATE|MAP_ANON: uvm_mapanon with UVM_FLAG_COPYONW, so COPYONWRITE|NEEDSCOPY, no amap, INHERIT_COPY.</summary>
    [Fact]
    public void PrivateAnon_IsCopyOnWriteNeedsCopyWithoutAmap() =>
        Expect(
            ["Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)"],
            "Ok",
            "0x10000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000",
            NoObjectRefs,
            "size 0x4000"
        );

    /// <summary>MAP_SHARED|MAP_ANON: UVM_FLAG_OVERLAY allocates the amap at mmap time (amap_alloc, am_ref 1); INHERIT_SHARE.</summary>
    [Fact]
    public void SharedAnon_GetsItsAmapAtMapTime() =>
        Expect(
            ["Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Shared)"],
            "Ok",
            "0x10000-0x14000 rw-/rwx share normal wired 0 - free 0xfffffffffffeb000 amap 1@0",
            "amap 1 slots 4 refs 1",
            NoObjectRefs,
            "size 0x4000"
        );

    /// <summary>MAP_STACK: UVM_FLAG_STACK sets UVM_ET_STACK on a copy-on-write anonymous entry.</summary>
    [Fact]
    public void Stack_IsMarked() =>
        ExpectEntries(
            ["Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: Stack)"],
            "Ok",
            "0x10000-0x12000 rw-/rwx copy normal wired 0 cow,nc,stack free 0xfffffffffffed000"
        );

    /// <summary>uvm_map with a uvm_object: UVM_ET_OBJ, the offset kept, and the object's reference taken by the caller (pgo_reference in uvm_mmapfile).</summary>
    [Fact]
    public void FileMappings_ReferenceTheirObject() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: R, kind: FilePrivate, obj: 1, off: 0x3000)",
                "Mmap(addr: 0x20000, size: 0x1000, prot: R, kind: FileShared, obj: 2, off: 0x0, max: RX)",
            ],
            "Ok, Ok",
            "0x10000-0x12000 r--/rwx copy normal wired 0 obj,cow,nc free 0xe000 obj 1@0x3000",
            "0x20000-0x21000 r--/r-x share normal wired 0 obj free 0xfffffffffffde000 obj 2@0x0",
            "obj 1 refs 2|obj 2 refs 2|obj 3 refs 1",
            "size 0x3000"
        );

    /// <summary>UVM_FLAG_HOLE: UVM_ET_HOLE, and `if (!(flags & UVM_FLAG_HOLE)) map->size += sz` leaves the size alone.</summary>
    [Fact]
    public void Hole_IsNotCountedInTheSize() =>
        Expect(
            ["Mmap(addr: 0x10000, size: 0x2000, prot: None, kind: Hole)"],
            "Ok",
            "0x10000-0x12000 ---/--- none normal wired 0 hole free 0xfffffffffffed000",
            NoObjectRefs,
            "size 0x0"
        );

    /// <summary>sys_mmap: addresses below VM_MIN_ADDRESS or a range that wraps are EINVAL; uvm_map: prot beyond maxprot is EACCES.</summary>
    [Fact]
    public void BadRangesAndProtection_AreRefusedWithNothingChanged() =>
        Expect(
            [
                "Mmap(addr: 0x0, size: 0x2000, prot: RW, kind: Private)",
                "Mmap(addr: 0xffffffffffffe000, size: 0x3000, prot: RW, kind: Private)",
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: FileShared, obj: 1, off: 0x0, max: RX)",
            ],
            "EINVAL, EINVAL, EACCES",
            NoObjectRefs,
            "size 0x0"
        );

    /// <summary>An empty mapping is EINVAL (sys_mmap: `if (size == 0) return EINVAL`); replay syntax cannot express it.</summary>
    [Fact]
    public void EmptySize_IsEinval()
    {
        var map = new VmMap();
        Assert.Equal("EINVAL", Mapping.MapFixed(map, 0x10000, 0, Prot.RW, Prot.RWX, MapKind.Private, 0, 0));
        Assert.Equal("EINVAL", Mapping.MapAnywhere(map, 0, Prot.RW, Prot.RWX, MapKind.Private, 0, 0, out _));
    }

    /// <summary>
    /// UVM_FLAG_UNMAP: uvm_unmap_remove runs first with checkimmutable; an IMMUTABLE entry makes it EPERM
    /// before anything is clipped.
    /// </summary>
    [Fact]
    public void FixedOverImmutable_IsEpermAndClipsNothing() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)",
                "Mimmutable(addr: 0x10000, size: 0x4000)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: R, kind: Private)",
            ],
            "Ok, Ok, EPERM",
            "0x10000-0x14000 rw-/rwx copy normal wired 0 cow,nc,imm free 0xfffffffffffeb000"
        );

    /// <summary>
    /// uvm_unmap_remove clips a HOLE like any entry (`UVM_MAP_CLIP_END` comes before the HOLE test) but keeps
    /// it (remove_holes FALSE), so uvm_map_isavail then fails: ENOMEM, and the clip stays.
    /// </summary>
    [Fact]
    public void FixedOverHole_IsEnomem() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: None, kind: Hole)",
                "Mmap(addr: 0xf000, size: 0x2000, prot: R, kind: Private)",
            ],
            "Ok, ENOMEM",
            "0x10000-0x11000 ---/--- none normal wired 0 hole free 0x0",
            "0x11000-0x12000 ---/--- none normal wired 0 hole free 0xfffffffffffed000"
        );

    /// <summary>
    /// MAP_FIXED over the middle of an entry: uvm_unmap_remove clips both ends (the lower part keeps its
    /// pageoff and offset, the upper one advances both) and the new entry takes the hole between.
    /// </summary>
    [Fact]
    public void FixedInsideAnEntry_ReplacesTheMiddle() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: R, kind: FilePrivate, obj: 1, off: 0x0)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: RW, kind: Private)",
            ],
            "Ok, Ok",
            "0x10000-0x11000 r--/rwx copy normal wired 0 obj,cow,nc free 0x0 obj 1@0x0",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x12000-0x14000 r--/rwx copy normal wired 0 obj,cow,nc free 0xfffffffffffeb000 obj 1@0x2000",
            "obj 1 refs 3|obj 2 refs 1|obj 3 refs 1",
            "size 0x4000"
        );

    /// <summary>
    /// The model's placement (the kernel randomises it): the lowest address from min_offset on where the
    /// whole size fits, so first the space before the first entry, then the free space after an entry.
    /// </summary>
    [Fact]
    public void Anywhere_TakesTheFirstFreeRangeThatFits() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x3000, size: 0x1000, prot: RW, kind: Private)",
                "MmapAny(size: 0x2000, prot: R, kind: Private)",
                "MmapAny(size: 0x3000, prot: R, kind: Private)",
            ],
            "Ok, Ok(0x1000), Ok(0x4000)",
            "0x1000-0x3000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "0x3000-0x4000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x4000-0x7000 r--/rwx copy normal wired 0 cow,nc free 0xffffffffffff8000"
        );

    /// <summary>In an empty map the first fit is min_offset itself.</summary>
    [Fact]
    public void Anywhere_InAnEmptyMap_StartsAtMinOffset() =>
        ExpectEntries(
            ["MmapAny(size: 0x2000, prot: RW, kind: Private)"],
            "Ok(0x1000)",
            "0x1000-0x3000 rw-/rwx copy normal wired 0 cow,nc free 0xffffffffffffc000"
        );

    /// <summary>Placement refuses prot beyond maxprot (EACCES) and a size no free range holds (ENOMEM).</summary>
    [Fact]
    public void Anywhere_RefusesExcessProtectionAndSizesThatDoNotFit() =>
        Expect(
            [
                "Mmap(addr: 0x1000, size: 0x1000, prot: RW, kind: Private)",
                "MmapAny(size: 0x1000, prot: W, kind: FileShared, obj: 1, off: 0x0, max: RX)",
                "MmapAny(size: 0xfffffffffffff000, prot: R, kind: Private)",
            ],
            "Ok, EACCES, ENOMEM",
            "0x1000-0x2000 rw-/rwx copy normal wired 0 cow,nc free 0xffffffffffffd000",
            NoObjectRefs,
            "size 0x1000"
        );

    /// <summary>
    /// sys_munmap: `if (!uvm_map_checkprot(map, addr, addr + size, PROT_NONE)) return EINVAL` before
    /// anything is removed: a gap, a HOLE, or a start before the first entry in the range.
    /// </summary>
    [Fact]
    public void Munmap_OfARangeWithAGapOrHole_IsEinvalAndRemovesNothing() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x12000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x13000, size: 0x1000, prot: None, kind: Hole)",
                "Munmap(addr: 0x10000, size: 0x3000)",
                "Munmap(addr: 0x12000, size: 0x2000)",
                "Munmap(addr: 0xf000, size: 0x2000)",
                "Munmap(addr: 0x0, size: 0x1000)",
            ],
            "Ok, Ok, Ok, EINVAL, EINVAL, EINVAL, EINVAL",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x1000",
            "0x12000-0x13000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x13000-0x14000 ---/--- none normal wired 0 hole free 0xfffffffffffeb000"
        );

    /// <summary>uvm_unmap_remove with checkimmutable: EPERM with nothing clipped; the mutable part alone unmaps.</summary>
    [Fact]
    public void Munmap_OfImmutable_IsEperm() =>
        ExpectEntries(
            [
                "Mmap(addr: 0x10000, size: 0x3000, prot: RW, kind: Private)",
                "Mimmutable(addr: 0x12000, size: 0x1000)",
                "Munmap(addr: 0x10000, size: 0x1000)",
                "Munmap(addr: 0x11000, size: 0x2000)",
            ],
            "Ok, Ok, Ok, EPERM",
            "0x11000-0x12000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x12000-0x13000 rw-/rwx copy normal wired 0 cow,nc,imm free 0xfffffffffffec000"
        );

    /// <summary>
    /// munmap of the middle: CLIP_START and CLIP_END, the removed entry's range and free space merged
    /// into the previous entry's fspace (uvm_mapent_mkfree), no re-merging of the two halves.
    /// </summary>
    [Fact]
    public void Munmap_OfTheMiddle_GivesItsSpaceToTheEntryBefore() =>
        ExpectEntries(
            ["Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)", "Munmap(addr: 0x11000, size: 0x2000)"],
            "Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0x2000",
            "0x13000-0x14000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffeb000"
        );

    /// <summary>Unmapping the first entry: no entry before it, so the space returns to the free space at min_offset.</summary>
    [Fact]
    public void Munmap_OfTheFirstEntry_LeavesTheNextOneFirst() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: Private)",
                "Mmap(addr: 0x20000, size: 0x1000, prot: RW, kind: Private)",
                "Munmap(addr: 0x10000, size: 0x1000)",
                "MmapAny(size: 0x10000, prot: RW, kind: Private)",
            ],
            "Ok, Ok, Ok, Ok(0x1000)",
            "0x1000-0x11000 rw-/rwx copy normal wired 0 cow,nc free 0xf000",
            "0x20000-0x21000 rw-/rwx copy normal wired 0 cow,nc free 0xfffffffffffde000",
            NoObjectRefs,
            "size 0x11000"
        );

    /// <summary>
    /// Unmapping half of a faulted shared-amap entry: the clip's amap_splitref establishes ppref (every
    /// slot at am_ref 1) and takes a second reference; uvm_unmap_detach's amap_unref(pageoff 2, 2 pages)
    /// drops those slots to 0 and wipes their anon, then the unref leaves am_ref at 1.
    /// </summary>
    [Fact]
    public void Munmap_OfHalfAnAmap_WipesOnlyThatHalfsAnons() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Shared)",
                "Fault(addr: 0x10000, write: true)",
                "Fault(addr: 0x13000, write: true)",
                "Munmap(addr: 0x12000, size: 0x2000)",
            ],
            "Ok, Ok, Ok, Ok",
            "0x10000-0x12000 rw-/rwx share normal wired 0 - free 0xfffffffffffed000 amap 1@0",
            "amap 1 slots 4 refs 1",
            "  slot 0 anon 1",
            "anon 1 refs 1 wired 0",
            NoObjectRefs,
            "size 0x2000"
        );

    /// <summary>uvm_unmap_kill_entry: a wired entry gets wired_count 0 and uvm_fault_unwire_locked before it goes.</summary>
    [Fact]
    public void Munmap_OfAWiredEntry_UnwiresItsPagesFirst() =>
        ExpectRest(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: R, kind: FileShared, obj: 1, off: 0x0)",
                "Mlock(addr: 0x10000, size: 0x1000)",
                "Munmap(addr: 0x10000, size: 0x1000)",
            ],
            "page obj 1@0x0 wired 0",
            NoObjectRefs,
            "size 0x0"
        );
}
