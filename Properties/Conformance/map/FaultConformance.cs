using Xunit;
using static UvmDiff.Properties.Conformance.Map.MapOnTheReference;

namespace UvmDiff.Properties.Conformance.Map;

/// <summary>uvm_fault (uvm_fault_check, upper and lower faults) and amap_copy's chunking (uvm_fault.c 1.171, uvm_amap.c 1.97).</summary>
[Trait("Category", "Conformance")]
public class FaultConformance
{
    /// <summary>uvmfault_lookup fails on free space and HOLEs (EFAULT); `(entry->protection & access_type) != access_type` is EACCES.</summary>
    [Fact]
    public void UnmappedHoleAndProtection_AreRefused() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: None, kind: Private)",
                "Mmap(addr: 0x11000, size: 0x1000, prot: R, kind: Private)",
                "Mmap(addr: 0x12000, size: 0x1000, prot: None, kind: Hole)",
                "Fault(addr: 0x20000)",
                "Fault(addr: 0x12000)",
                "Fault(addr: 0x10000)",
                "Fault(addr: 0x11000, write: true)",
            ],
            "Ok, Ok, Ok, EFAULT, EFAULT, EACCES, EACCES",
            "0x10000-0x11000 ---/rwx copy normal wired 0 cow,nc free 0x0",
            "0x11000-0x12000 r--/rwx copy normal wired 0 cow,nc free 0x0",
            "0x12000-0x13000 ---/--- none normal wired 0 hole free 0xfffffffffffec000",
            NoObjectRefs,
            "size 0x2000"
        );

    /// <summary>
    /// A read of a small private anonymous entry: NEEDSCOPY with no object, so amap_copy (fewer than
    /// UVM_AMAP_LARGE pages: one amap for the entry, NEEDSCOPY cleared), then a zero-fill anon in the slot.
    /// A second fault there finds the anon and changes nothing.
    /// </summary>
    [Fact]
    public void ZeroFill_OfASmallEntry_AmapForTheWholeEntry() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x4000, prot: RW, kind: Private)",
                "Fault(addr: 0x12000)",
                "Fault(addr: 0x12000, write: true)",
            ],
            "Ok, Ok, Ok",
            "0x10000-0x14000 rw-/rwx copy normal wired 0 cow free 0xfffffffffffeb000 amap 1@0",
            "amap 1 slots 4 refs 1",
            "  slot 2 anon 1",
            "anon 1 refs 1 wired 0",
            NoObjectRefs,
            "size 0x4000"
        );

    /// <summary>
    /// Seed 001's chunking: a 256-page entry without an amap, faulted at 0x185000 with canchunk, is
    /// clipped to [0x180000, 0x190000) (startva rounded down, endva up to 64 KiB) and only that chunk
    /// gets an amap of 16 slots; the fault's page is slot 5.
    /// </summary>
    [Fact]
    public void LargeEntry_IsChunkedAroundTheFault() =>
        Expect(
            ["Mmap(addr: 0x100000, size: 0x100000, prot: RW, kind: Private)", "Fault(addr: 0x185000, write: true)"],
            "Ok, Ok",
            "0x100000-0x180000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0x180000-0x190000 rw-/rwx copy normal wired 0 cow free 0x0 amap 1@0",
            "0x190000-0x200000 rw-/rwx copy normal wired 0 cow,nc free 0xffffffffffdff000",
            "amap 1 slots 16 refs 1",
            "  slot 5 anon 1",
            "anon 1 refs 1 wired 0",
            NoObjectRefs,
            "size 0x100000"
        );

    /// <summary>uvm_fault_check passes `UVM_ET_ISSTACK(entry) ? FALSE : TRUE` as canchunk: a large stack gets one (lazy) amap for the whole entry.</summary>
    [Fact]
    public void LargeStack_IsNotChunked() =>
        ExpectEntries(
            ["Mmap(addr: 0x100000, size: 0x100000, prot: RW, kind: Stack)", "Fault(addr: 0x185000, write: true)"],
            "Ok, Ok",
            "0x100000-0x200000 rw-/rwx copy normal wired 0 cow,stack free 0xffffffffffdff000 amap 1@0"
        );

    /// <summary>
    /// amap_copy's `if (endva >= startva) UVM_MAP_CLIP_END`: in the last 64 KiB of the address space the
    /// rounded end wraps to 0, so only the start is clipped and the chunk runs to the entry's end.
    /// </summary>
    [Fact]
    public void ChunkAtTheTopOfTheAddressSpace_WrapsAndSkipsTheEndClip() =>
        ExpectEntries(
            [
                "Mmap(addr: 0xffffffffffeff000, size: 0x100000, prot: RW, kind: Private)",
                "Fault(addr: 0xffffffffffffe000, write: true)",
            ],
            "Ok, Ok",
            "0xffffffffffeff000-0xffffffffffff0000 rw-/rwx copy normal wired 0 cow,nc free 0x0",
            "0xffffffffffff0000-0xfffffffffffff000 rw-/rwx copy normal wired 0 cow free 0x0 amap 1@0"
        );

    /// <summary>A read of a private file mapping: NEEDSCOPY stays (it has an object and the access is not a write); the object page comes in.</summary>
    [Fact]
    public void ReadOfPrivateFile_BringsInTheObjectPageOnly() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: R, kind: FilePrivate, obj: 1, off: 0x2000)",
                "Fault(addr: 0x11000)",
            ],
            "Ok, Ok",
            "0x10000-0x12000 r--/rwx copy normal wired 0 obj,cow,nc free 0xfffffffffffed000 obj 1@0x2000",
            "page obj 1@0x3000 wired 0",
            "obj 1 refs 2|obj 2 refs 1|obj 3 refs 1",
            "size 0x2000"
        );

    /// <summary>A write to a private file mapping: amap_copy, then uvm_fault_lower promotes the object page into a new anon.</summary>
    [Fact]
    public void WriteToPrivateFile_PromotesIntoAnAnon() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x2000, prot: RW, kind: FilePrivate, obj: 1, off: 0x0)",
                "Fault(addr: 0x10000, write: true)",
            ],
            "Ok, Ok",
            "0x10000-0x12000 rw-/rwx copy normal wired 0 obj,cow free 0xfffffffffffed000 obj 1@0x0 amap 1@0",
            "amap 1 slots 2 refs 1",
            "  slot 0 anon 1",
            "anon 1 refs 1 wired 0",
            "page obj 1@0x0 wired 0",
            "obj 1 refs 2|obj 2 refs 1|obj 3 refs 1",
            "size 0x2000"
        );

    /// <summary>A write to a shared file mapping: no copy-on-write, the object page itself.</summary>
    [Fact]
    public void WriteToSharedFile_UsesTheObjectPage() =>
        ExpectRest(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: RW, kind: FileShared, obj: 3, off: 0x7000)",
                "Fault(addr: 0x10000, write: true)",
            ],
            "page obj 3@0x7000 wired 0",
            "obj 1 refs 1|obj 2 refs 1|obj 3 refs 2",
            "size 0x1000"
        );

    /// <summary>
    /// A fault on a wired entry: `flt->access_type = flt->enter_prot` (full access for wired), so a read of
    /// a writable, still NEEDSCOPY file entry copies the amap and promotes; the new anon is wired
    /// (`flt->wired`). The object page keeps the wire mlock gave it.
    /// </summary>
    [Fact]
    public void ReadOnAWiredWritableEntry_PromotesAndWires() =>
        Expect(
            [
                "Mmap(addr: 0x10000, size: 0x1000, prot: R, kind: FilePrivate, obj: 1, off: 0x0)",
                "Mlock(addr: 0x10000, size: 0x1000)",
                "Mprotect(addr: 0x10000, size: 0x1000, prot: RW)",
                "Fault(addr: 0x10000)",
            ],
            "Ok, Ok, Ok, Ok",
            "0x10000-0x11000 rw-/rwx copy normal wired 1 obj,cow free 0xfffffffffffee000 obj 1@0x0 amap 1@0",
            "amap 1 slots 1 refs 1",
            "  slot 0 anon 1",
            "anon 1 refs 1 wired 1",
            "page obj 1@0x0 wired 1",
            "obj 1 refs 2|obj 2 refs 1|obj 3 refs 1",
            "size 0x1000"
        );
}
