namespace UvmDiff.Spec.Pages;

/// <summary>uvm_page.h: pg_flags. Values are the kernel's.</summary>
[Flags]
public enum PgFlags : uint
{
    None = 0,
    Busy = 0x1,
    Wanted = 0x2,
    Tabled = 0x4,
    Clean = 0x8,
    CleanChk = 0x10,
    Released = 0x20,
    Fake = 0x40,
    RdOnly = 0x80,
    Zero = 0x100,
    Dev = 0x200,
    QueueFree = 0x10000,
    QueueInactive = 0x20000,
    QueueActive = 0x40000,
    QueueIter = 0x80000,
    QueueAnon = 0x100000,
    QueueAobj = 0x200000,
    QueueEncrypt = 0x400000,

    Queued = QueueActive | QueueInactive,
}
