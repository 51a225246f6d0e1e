using System.Text;
using UvmDiff.Spec.Map;

namespace UvmDiff.Harness.Map;

/// <summary>A map rendered like procmap(1): one line per entry, with its amap slots and object offset.</summary>
public sealed class MapTable : IMapObserver
{
    private readonly List<EntryFacts> _entries = [];
    private readonly Dictionary<int, int> _amapSlots = [];

    public void Entry(in EntryFacts entry) => _entries.Add(entry);

    public void Amap(int id, int slots, int refs, bool shared) => _amapSlots[id] = slots;

    public void AnonSlot(int amap, int slot, int anon) { }

    public void Anon(int id, int refs, int wired) { }

    public void ObjectPage(int obj, ulong offset, int wired) { }

    public void Object(int obj, int refs) { }

    public void Size(ulong size) { }

    public static string Render(IVmMapMachine machine)
    {
        var table = new MapTable();
        machine.Walk(table);
        return table.ToString();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(
            "start            end              size      prot/max  inherit  wired  amap        object      flags\n"
        );
        ulong total = 0;
        foreach (var e in _entries.OrderBy(e => e.Start))
        {
            ulong size = e.End - e.Start;
            total += size;
            string amap = e.AmapId == 0 ? "-" : $"{_amapSlots[e.AmapId]}@{e.PageOff}";
            string obj = e.Obj == 0 ? "-" : $"{e.Obj}@0x{e.Offset:x}";
            sb.Append(
                $"{e.Start, -16:x} {e.End, -16:x} {Bytes(size), -9} {MapConst.Format(e.Protection)}/{MapConst.Format(e.MaxProtection)}   {e.Inheritance.ToString().ToLowerInvariant(), -8} {e.WiredCount, -6} {amap, -11} {obj, -11} {MapConst.Format(e.EType)}\n"
            );
        }
        sb.Append($"{_entries.Count} entries, {Bytes(total)} mapped\n");
        return sb.ToString();
    }

    private static string Bytes(ulong bytes) =>
        bytes % (1UL << 30) == 0 && bytes > 0 ? $"{bytes >> 30}G"
        : bytes % (1UL << 20) == 0 && bytes > 0 ? $"{bytes >> 20}M"
        : $"{bytes >> 10}k";
}
