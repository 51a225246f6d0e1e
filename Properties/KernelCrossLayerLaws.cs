using System.Reflection;
using UvmDiff.Harness.Kernel;
using UvmDiff.Spec.Kernel.Process;
using UvmDiff.Spec.Map;
using UvmDiff.Spec.Pmap;
using Xunit;
using PmapProt = UvmDiff.Spec.Pmap.Prot;

namespace UvmDiff.Properties;

/// <summary>
/// Each invariant of <see cref="CrossLayer.Check"/> must be able to fail: a reference kernel in a known
/// state is shown to the check through a view that tells one lie (a translation, an entry or a page
/// owner that is not there), and the check must name it. The untouched view must pass, so that the lie
/// is what fires.
/// </summary>
[Trait("Category", "Law")]
public class KernelCrossLayerLaws
{
    /// <summary>
    /// An interface forwarded to an inner object, each call first shown to a rewrite that may change its
    /// arguments, make calls of its own on the inner object, and say whether the call goes through.
    /// A proxy rather than a hand-written wrapper, so the laws do not break when the interfaces grow.
    /// </summary>
    public class Rewriting<T> : DispatchProxy
        where T : class
    {
        private T _inner = null!;
        private Func<string, object?[], T, bool> _rewrite = null!;

        public static T Over(T inner, Func<string, object?[], T, bool> rewrite)
        {
            var proxy = Create<T, Rewriting<T>>();
            var rewriting = (Rewriting<T>)(object)proxy;
            rewriting._inner = inner;
            rewriting._rewrite = rewrite;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            args ??= [];
            return _rewrite(method!.Name, args, _inner) ? method.Invoke(_inner, args) : null;
        }
    }

    /// <summary>The kernel seen through views whose sinks are rewritten by the given functions.</summary>
    internal static IKernelMachine Lying(
        IKernelMachine kernel,
        Func<string, object?[], IPmapFactSink, bool>? pmap = null,
        Func<string, object?[], IMapObserver, bool>? map = null,
        Func<string, object?[], IKernelFactSink, bool>? owners = null
    ) =>
        Rewriting<IKernelMachine>.Over(
            kernel,
            (name, args, _) =>
            {
                if (name == nameof(IKernelMachine.WalkPmap) && pmap is not null)
                    args[0] = Rewriting<IPmapFactSink>.Over((IPmapFactSink)args[0]!, pmap);
                if (name == nameof(IKernelMachine.WalkMap) && map is not null)
                    args[1] = Rewriting<IMapObserver>.Over((IMapObserver)args[1]!, map);
                if (name == nameof(IKernelMachine.WalkKernel) && owners is not null)
                    args[0] = Rewriting<IKernelFactSink>.Over((IKernelFactSink)args[0]!, owners);
                return true;
            }
        );

    /// <summary>
    /// p0 runs on cpu 0 with two private pages at 0x10000000 and the first written (page 0, anon 1), and
    /// one wired page at 0x20000000 (page 1, anon 1 of its own amap).
    /// </summary>
    private static ReferenceKernel Kernel(Arch arch) =>
        After(
            arch,
            "switch cpu0 p0",
            "mmap p0 0x10000000 +2 rw- private",
            "write cpu0 0x10000000",
            "mmap p0 0x20000000 +1 rw- private",
            "mlock p0 0x20000000 +1"
        );

    /// <summary>A fresh reference kernel after <paramref name="lines"/>, each of which must not be fatal.</summary>
    internal static ReferenceKernel After(Arch arch, params string[] lines)
    {
        var side = new KernelSide("reference", new ReferenceKernel(arch), () => []);
        side.Reset();
        foreach (var line in lines)
            Assert.False(side.Apply(KernelOpParser.Parse(line)).IsFatal, line);
        return (ReferenceKernel)side.Machine;
    }

    /// <summary>A rewrite that replaces argument <paramref name="index"/> of the calls to <paramref name="method"/> that <paramref name="match"/>.</summary>
    internal static Func<string, object?[], T, bool> Replacing<T>(
        string method,
        Func<object?[], bool> match,
        int index,
        Func<object?, object> value
    ) =>
        (name, args, _) =>
        {
            if (name == method && match(args))
                args[index] = value(args[index]);
            return true;
        };

    /// <summary>A rewrite that makes a call of its own before each call to <paramref name="method"/> that <paramref name="match"/>es.</summary>
    private static Func<string, object?[], T, bool> Adding<T>(
        string method,
        Func<object?[], bool> match,
        Action<T> call
    ) =>
        (name, args, inner) =>
        {
            if (name == method && match(args))
                call(inner);
            return true;
        };

    private static bool At(object?[] args, ulong va) => (int)args[0]! == 0 && (ulong)args[1]! == va;

    [Fact]
    public void Check_OfTheTruth_Passes()
    {
        foreach (var arch in new[] { Arch.Amd64, Arch.Arm64 })
            Assert.Null(CrossLayer.Check(Lying(Kernel(arch), pmap: (_, _, _) => true, map: (_, _, _) => true)));
    }

    /// <summary>anon 1 (page 0, written: mapped rw) said to be held by a second amap as well.</summary>
    private static Func<string, object?[], IMapObserver, bool> AnonOneShared() =>
        Replacing<IMapObserver>(nameof(IMapObserver.Anon), args => (int)args[0]! == 1, 1, _ => 2);

    [Fact]
    public void Check_WritableTranslationOfAnAnonTwoAmapsShare_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x10000000 writes anon 1, which 2 amaps share",
            CrossLayer.Check(Lying(Kernel(Arch.Amd64), map: AnonOneShared()))
        );

    /// <summary>The kernel's exception: through an AMAP_SHARED amap a shared anon may stay writable.</summary>
    [Fact]
    public void Check_WritableSharedAnonThroughAnAmapSharedAmap_Passes() =>
        Assert.Null(
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    map: (name, args, inner) =>
                    {
                        if (name == nameof(IMapObserver.Amap))
                            args[3] = true;
                        return AnonOneShared()(name, args, inner);
                    }
                )
            )
        );

    [Fact]
    public void Check_TranslationOutsideEveryEntry_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x8000 outside every entry",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    pmap: Adding<IPmapFactSink>(
                        nameof(IPmapFactSink.Cpu),
                        args => (int)args[0]! == 0,
                        sink => sink.Mapping(0, 0x8000, 0, PmapProt.Read, false)
                    )
                )
            )
        );

    [Fact]
    public void Check_TranslationInAHole_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x10000000 outside every entry",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    map: Replacing<IMapObserver>(
                        nameof(IMapObserver.Entry),
                        args => args[0] is EntryFacts { Start: 0x10000000 },
                        0,
                        entry => (EntryFacts)entry! with { EType = EType.Hole }
                    )
                )
            )
        );

    [Fact]
    public void Check_TranslationWhereNoAnonIs_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x10001000 maps page 2, not the page of anon 0",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    pmap: Adding<IPmapFactSink>(
                        nameof(IPmapFactSink.Mapping),
                        args => At(args, 0x10000000),
                        sink => sink.Mapping(0, 0x10001000, 2, PmapProt.Read, false)
                    )
                )
            )
        );

    [Fact]
    public void Check_TranslationToAPageNoAnonOwns_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x10000000 maps page 5, not the page of anon 1",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    pmap: Replacing<IPmapFactSink>(
                        nameof(IPmapFactSink.Mapping),
                        args => At(args, 0x10000000),
                        2,
                        _ => 5
                    )
                )
            )
        );

    [Fact]
    public void Check_TranslationToAnotherAnonsPage_Fires() =>
        Assert.Equal(
            "process 0: translation at 0x10000000 maps page 0, not the page of anon 1",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    owners: Replacing<IKernelFactSink>(
                        nameof(IKernelFactSink.PageOwner),
                        args => (int)args[0]! == 0,
                        1,
                        _ => 7
                    )
                )
            )
        );

    [Fact]
    public void Check_UnwiredTranslationInAWiredEntry_FiresOnAmd64Only()
    {
        var unwire = Replacing<IPmapFactSink>(
            nameof(IPmapFactSink.Mapping),
            args => At(args, 0x20000000),
            4,
            _ => false
        );
        Assert.Equal(
            "process 0: translation at 0x20000000 in a wired entry is not wired",
            CrossLayer.Check(Lying(Kernel(Arch.Amd64), pmap: unwire))
        );
        Assert.Null(CrossLayer.Check(Lying(Kernel(Arch.Arm64), pmap: unwire)));
    }

    [Fact]
    public void Check_MappedPageThatBacksNoAnon_Fires() =>
        Assert.Equal(
            "page 4 backs no anon and no file but is mapped",
            CrossLayer.Check(
                Lying(
                    Kernel(Arch.Amd64),
                    pmap: Adding<IPmapFactSink>(
                        nameof(IPmapFactSink.Page),
                        args => (int)args[0]! == 4,
                        sink => sink.Pv(4, 1, 0x10000000)
                    )
                )
            )
        );
}
