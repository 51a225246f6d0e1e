using UvmDiff.Harness.Core;
using UvmDiff.Spec.Pmap;

namespace UvmDiff.Harness.Pmap;

/// <summary>
/// Random pmap op sequences: three pmaps that share six pages, addresses drawn from the map entries
/// (near 2 MiB, 1 GiB and table boundaries), two CPUs with activations and switches, accesses of every
/// kind, the pagedaemon's page_protect and clear_reference, exits (half of them with a PV walk inside
/// the teardown) and new processes in dead slots. As uvm would: a wired enter often wires a mapping
/// entered earlier (mlock of a mapped page), and an exit marks wired the entries where its pmap entered
/// wired pages, now and then one more.
/// </summary>
public static class PmapGen
{
    private static readonly int[] OpWeights = [24, 18, 12, 3, 5, 5, 5, 3, 2, 3, 3, 4, 3];
    private static readonly Prot[] EnterProts =
    [
        Prot.Read,
        Prot.Read | Prot.Write,
        Prot.Read | Prot.Exec,
        Prot.Exec,
        Prot.All,
    ];
    private static readonly Prot[] ProtectProts =
    [
        Prot.None,
        Prot.Read,
        Prot.Exec,
        Prot.Read | Prot.Exec,
        Prot.Read | Prot.Write,
        Prot.Write,
    ];
    private static readonly Prot[] AccessKinds = [Prot.Read, Prot.Write, Prot.Exec];

    /// <summary>Every page address of every map entry.</summary>
    public static readonly ulong[] Vas = AllVas();

    private static ulong[] AllVas()
    {
        var vas = new List<ulong>();
        foreach (var (start, end) in PmapWorld.Entries)
        {
            for (ulong va = start; va < end; va += PmapWorld.PageSize)
                vas.Add(va);
        }
        return [.. vas];
    }

    /// <summary>Accesses, extracts and unwires go to an address entered earlier in the sequence most of the time.</summary>
    public static void Sequence(ref Rng rng, int maxOps, List<PmapOp> into)
    {
        int count = rng.Between(1, maxOps);
        int first = into.Count;
        for (int i = 0; i < count; i++)
        {
            var op = Op(ref rng);
            if (op is Enter { Wired: true } wire && rng.Chance(40) && Entered(ref rng, into, first) is { } mapped)
                op = mapped with { Wired = true, Fail = wire.Fail };
            else if (op is Exit exit)
                op = exit with { Wired = WiredEntries(ref rng, into, first, exit.Pmap) };
            else if (rng.Chance(60) && Entered(ref rng, into, first) is { Va: var va })
            {
                op = op switch
                {
                    Access a => a with { Va = va },
                    Extract x => x with { Va = va },
                    Unwire u => u with { Va = va },
                    _ => op,
                };
            }
            into.Add(op);
        }
    }

    private static Enter? Entered(ref Rng rng, List<PmapOp> ops, int first)
    {
        int entered = 0;
        for (int i = first; i < ops.Count; i++)
        {
            if (ops[i] is Enter)
                entered++;
        }
        if (entered == 0)
            return null;
        int pick = rng.Below(entered);
        for (int i = first; i < ops.Count; i++)
        {
            if (ops[i] is Enter e && pick-- == 0)
                return e;
        }
        return null;
    }

    /// <summary>The entries where <paramref name="pmap"/> entered a wired page, and a random one 20% of the time.</summary>
    private static int WiredEntries(ref Rng rng, List<PmapOp> ops, int first, int pmap)
    {
        int wired = 0;
        for (int i = first; i < ops.Count; i++)
        {
            if (ops[i] is Enter { Wired: true } e && e.Pmap == pmap)
                wired |= 1 << PmapWorld.EntryOf(e.Va, e.Va + PmapWorld.PageSize);
        }
        if (rng.Chance(20))
            wired |= 1 << rng.Below(PmapWorld.Entries.Length);
        return wired;
    }

    private static ulong Va(ref Rng rng) => Vas[rng.Below(Vas.Length)];

    private static int Pmap(ref Rng rng) => rng.Below(PmapWorld.Pmaps);

    public static PmapOp Op(ref Rng rng)
    {
        switch (rng.Weighted(OpWeights))
        {
            case 0:
                var prot = EnterProts[rng.Below(EnterProts.Length)];
                var access = rng.Chance(25) ? Prot.None : prot & (Prot)(1 << rng.Below(3));
                if (rng.Chance(15))
                    access = prot;
                return new Enter(
                    Pmap(ref rng),
                    Va(ref rng),
                    rng.Below(PmapWorld.Pages),
                    prot,
                    access,
                    rng.Chance(15),
                    rng.Chance(5)
                );
            case 1:
                return new Access(rng.Below(PmapWorld.Cpus), Va(ref rng), AccessKinds[rng.Below(3)]);
            case 2:
                return new Activate(rng.Below(PmapWorld.Cpus), Pmap(ref rng));
            case 3:
                return new Deactivate(rng.Below(PmapWorld.Cpus));
            case 4:
            {
                var (sva, eva) = Range(ref rng);
                return new Remove(Pmap(ref rng), sva, eva);
            }
            case 5:
            {
                var (sva, eva) = Range(ref rng);
                return new Protect(Pmap(ref rng), sva, eva, ProtectProts[rng.Below(ProtectProts.Length)]);
            }
            case 6:
                return new PageProtect(rng.Below(PmapWorld.Pages), rng.Chance(50) ? Prot.None : Prot.Read);
            case 7:
                return new Unwire(Pmap(ref rng), Va(ref rng));
            case 8:
                return new Extract(Pmap(ref rng), Va(ref rng));
            case 9:
                return new PageOp((PageQuery)rng.Below(2), rng.Below(PmapWorld.Pages));
            case 10:
                return new PageOp((PageQuery)(2 + rng.Below(2)), rng.Below(PmapWorld.Pages));
            case 11:
                return new Exit(
                    Pmap(ref rng),
                    rng.Chance(50)
                        ? new PvWalk(rng.Below(6), (PvWalkKind)rng.Below(4), rng.Below(PmapWorld.Pages))
                        : null
                );
            default:
                return new Exec(Pmap(ref rng));
        }
    }

    /// <summary>A range inside one entry: one page, a few pages, or the whole entry.</summary>
    public static (ulong Sva, ulong Eva) Range(ref Rng rng)
    {
        var (start, end) = PmapWorld.Entries[rng.Below(PmapWorld.Entries.Length)];
        int pages = (int)((end - start) / PmapWorld.PageSize);
        int first = rng.Below(pages);
        int last = rng.Chance(30) ? first + 1 : rng.Between(first + 1, pages);
        if (rng.Chance(15))
            (first, last) = (0, pages);
        return (start + (ulong)first * PmapWorld.PageSize, start + (ulong)last * PmapWorld.PageSize);
    }
}

/// <summary>Shrinking: drop halves, drop one op, then simplify each op's fields towards defaults.</summary>
public static class PmapShrink
{
    public static IEnumerable<PmapOp[]> List(PmapOp[] ops)
    {
        if (ops.Length > 1)
        {
            yield return ops[..(ops.Length / 2)];
            yield return ops[(ops.Length / 2)..];
        }
        for (int i = 0; i < ops.Length && ops.Length > 1; i++)
            yield return [.. ops[..i], .. ops[(i + 1)..]];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var smaller in Op(ops[i]))
            {
                var shrunk = (PmapOp[])ops.Clone();
                shrunk[i] = smaller;
                yield return shrunk;
            }
        }
    }

    private static IEnumerable<PmapOp> Op(PmapOp op)
    {
        switch (op)
        {
            case Enter e:
                if (e.Fail)
                    yield return e with
                    {
                        Fail = false,
                    };
                if (e.Wired)
                    yield return e with
                    {
                        Wired = false,
                    };
                if (e.Access != Prot.None)
                    yield return e with
                    {
                        Access = Prot.None,
                    };
                if (e.Page != 0)
                    yield return e with
                    {
                        Page = 0,
                    };
                break;
            case Exit x:
                if (x.Wired != 0)
                    yield return x with
                    {
                        Wired = 0,
                    };
                if (x.Walk is not null)
                    yield return x with
                    {
                        Walk = null,
                    };
                if (x.Walk is { Point: > 0 })
                    yield return x with
                    {
                        Walk = x.Walk with { Point = 0 },
                    };
                break;
            case Remove r when r.Eva - r.Sva > PmapWorld.PageSize:
                yield return r with
                {
                    Eva = r.Sva + PmapWorld.PageSize,
                };
                break;
            case Protect p when p.Eva - p.Sva > PmapWorld.PageSize:
                yield return p with
                {
                    Eva = p.Sva + PmapWorld.PageSize,
                };
                break;
        }
    }
}
