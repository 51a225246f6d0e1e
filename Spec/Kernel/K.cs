namespace UvmDiff.Spec.Kernel;

/// <summary>Page arithmetic and the always-on assertion used by every routine.</summary>
public static class K
{
    public const int PageShift = 12;
    public const long PageSize = 1L << PageShift;
    public const long PageMask = PageSize - 1;

    /// <summary>KASSERT(expression): raises the Panic outcome with the kernel's expression text.</summary>
    public static void Kassert(bool condition, string expression)
    {
        if (!condition)
            throw new KernelPanic("kernel diagnostic assertion \"" + expression + "\" failed");
    }

    public static KernelPanic Panic(string message) => new(message);

    public static long TruncPage(long offset) => offset & ~PageMask;

    public static long RoundPage(long offset) => (offset + PageMask) & ~PageMask;

    public static bool IsPageAligned(long offset) => (offset & PageMask) == 0;
}
