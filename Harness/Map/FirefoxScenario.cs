using UvmDiff.Harness.Core;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>
/// Seed 001's Firefox process: `procmap -p 9434 | wc -l` gave 6,849 entries, 457 of them 64 KiB. This
/// builds an address space with exactly those counts from a fixed seed, the way such a process gets
/// there: shared libraries (text, read-only data, relro and data mappings of one file each, 4 entries,
/// some with a bss), thread stacks with their guard pages, and 2 MiB anonymous heap arenas that page
/// faults chunk into 64 KiB pieces (each fault on a piece of 256 pages or more clips out the aligned
/// 64 KiB around it). Faults go in until 457 entries are exactly 64 KiB, then libraries and single
/// anonymous mappings until there are 6,849 entries.
/// </summary>
public static class FirefoxScenario
{
    public const int Entries = 6849;
    public const int Chunks = 457;

    private const ulong Page = MapConst.PageSize;
    private const ulong ArenaBase = 0x7e00_0000_0000;
    private const ulong ArenaSize = 2UL << 20;
    private const ulong LibraryBase = 0x7f00_0000_0000;
    private const ulong StackBase = 0x7d00_0000_0000;

    private static readonly Lazy<IReadOnlyList<MapOp>> Built = new(Build);

    /// <summary>The ops that build the address space, replayable as a map-layer prelude.</summary>
    public static IReadOnlyList<MapOp> Ops => Built.Value;

    private static IReadOnlyList<MapOp> Build()
    {
        var rng = new Rng(0x001_f1ef0c);
        var ops = new List<MapOp>();
        var pieces = new List<(ulong Start, ulong End)>();
        int chunks = 0;
        int entries = 0;
        for (int arena = 0; chunks < Chunks; arena++)
        {
            ulong start = ArenaBase + (ulong)arena * (ArenaSize + 0x10_0000);
            ops.Add(new Mmap(start, ArenaSize, Prot.RW, MapKind.Private));
            entries++;
            pieces.Clear();
            pieces.Add((start, start + ArenaSize));
            for (int faults = rng.Between(6, 20); faults > 0 && chunks < Chunks; faults--)
            {
                int large = pieces.FindIndex(p => p.End - p.Start >= MapConst.AmapLarge * Page);
                if (large < 0)
                    break;
                var (a, b) = pieces[large];
                ulong chunk = a + (ulong)rng.Below((int)((b - a) / MapConst.ChunkBytes)) * MapConst.ChunkBytes;
                ulong below = chunk - a;
                ulong above = b - chunk - MapConst.ChunkBytes;
                int made = 1 + Sixty4k(below) + Sixty4k(above);
                if (chunks + made > Chunks)
                    continue;
                ops.Add(new Fault(chunk + (ulong)rng.Below(MapConst.AmapChunk) * Page, rng.Chance(70)));
                pieces.RemoveAt(large);
                if (below > 0)
                    pieces.Add((a, chunk));
                if (above > 0)
                    pieces.Add((chunk + MapConst.ChunkBytes, b));
                entries += (below > 0 ? 1 : 0) + (above > 0 ? 1 : 0);
                chunks += made;
            }
        }
        ulong library = LibraryBase;
        ulong stack = StackBase;
        for (int i = 0; entries < Entries; i++)
        {
            int left = Entries - entries;
            if (left >= 5 && i % 10 != 9)
            {
                int obj = 1 + i % MapConst.Objects;
                ulong offset = 0;
                foreach (var prot in new[] { Prot.R, Prot.RX, Prot.R, Prot.RW })
                {
                    ulong size = (ulong)rng.Between(1, 40) * Page;
                    if (size == MapConst.ChunkBytes)
                        size += Page;
                    ops.Add(new Mmap(library, size, prot, MapKind.FilePrivate, obj, offset));
                    library += size;
                    offset += size;
                }
                entries += 4;
                if (rng.Chance(50))
                {
                    ops.Add(new Mmap(library, 2 * Page, Prot.RW, MapKind.Private));
                    library += 2 * Page;
                    entries++;
                }
                library += (ulong)rng.Between(1, 16) * Page;
            }
            else if (left >= 2 && i % 10 == 9)
            {
                ops.Add(new Mmap(stack, Page, Prot.None, MapKind.Private));
                ops.Add(new Mmap(stack + Page, 32 * Page, Prot.RW, MapKind.Stack));
                stack += 64 * Page;
                entries += 2;
            }
            else
            {
                ops.Add(new Mmap(library, Page, Prot.RW, MapKind.Private));
                library += 2 * Page;
                entries++;
            }
        }
        return ops;
    }

    private static int Sixty4k(ulong size) => size == MapConst.ChunkBytes ? 1 : 0;
}
