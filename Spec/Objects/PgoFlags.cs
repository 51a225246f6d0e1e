namespace UvmDiff.Spec.Objects;

/// <summary>uvm_pager.h: PGO_ flags for pgo_flush, pgo_get and pgo_put. Values are the kernel's.</summary>
[Flags]
public enum PgoFlags
{
    None = 0,
    CleanIt = 0x1,
    SyncIo = 0x2,
    Deactivate = 0x4,
    Free = 0x8,
    AllPages = 0x10,
    DoActClust = 0x20,
    Locked = 0x40,
    PdFreeClust = 0x80,
    ReallocSwap = 0x100,
    NoWait = 0x200,
}
