namespace UvmDiff.Spec.Kernel.Process;

public partial interface IKernelFactSink
{
    /// <summary>An anon's an_swslot, for each anon that has one. => in increasing anon order</summary>
    void AnonSlot(int anon, int slot) { }

    /// <summary>
    /// A physical page backing an anon is PG_CLEAN: read in from swap and not stored to since.
    /// => in increasing page order
    /// </summary>
    void AnonPageClean(int page) { }
}
