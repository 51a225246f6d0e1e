using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Pmap;
using UvmDiff.Spec.Kernel;
using UvmDiff.Spec.Pmap;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// Laws of the reference pmap alone, over random sequences under both profiles: the MI contract of
/// uvm_pmap.h as uvm-semantics.md section 5 states it, checked after every op.
/// </summary>
[Trait("Category", "Law")]
public class PmapReferenceLaws
{
    private sealed class Capture : IPmapFactSink
    {
        public readonly Dictionary<(int, ulong), (int Page, Prot Grants, bool Wired)> Mappings = [];
        public readonly Dictionary<int, (bool Ref, bool Mod)> Pages = [];
        public int PvEntries;

        public void Cpu(int cpu, int pmap) { }

        public void Pmap(int pmap, bool alive, int mapped, int wired) { }

        public void Mapping(int pmap, ulong va, int page, Prot grants, bool wired) =>
            Mappings[(pmap, va)] = (page, grants, wired);

        public void Page(int page, bool referenced, bool modified, int wireCount) =>
            Pages[page] = (referenced, modified);

        public void Pv(int page, int pmap, ulong va) => PvEntries++;
    }

    private static Capture Snapshot(IPmapMachine machine)
    {
        var capture = new Capture();
        machine.Walk(capture);
        return capture;
    }

    private static IEnumerable<ReferencePmap> Both() =>
        [new ReferencePmap(PmapProfile.Amd64), new ReferencePmap(PmapProfile.Arm64)];

    /// <summary>
    /// => protect never grants: every mapping's grants after ⊆ before; remove leaves nothing in its
    /// range; ref/mod never go from set to clear except by clear_reference/clear_modify; the PV relation
    /// is the mappings; the invariants hold.
    /// </summary>
    [Property(Arbitrary = [typeof(PmapSequences)], MaxTest = 3_000, QuietOnSuccess = true)]
    public void RandomSequences_KeepTheMiContract(Sequence<PmapOp> ops)
    {
        foreach (var machine in Both())
        {
            var side = new PmapSide("reference", machine, () => []);
            side.Reset();
            foreach (var op in ops.Ops)
            {
                var before = Snapshot(machine);
                Assert.False(side.Apply(op).IsFatal, $"{op} panicked on the reference");
                var after = Snapshot(machine);
                Assert.Null(machine.CheckInvariants(full: true));
                Assert.Equal(after.Mappings.Count, after.PvEntries);
                if (op is Protect p)
                {
                    foreach (var ((pmap, va), m) in after.Mappings)
                        Assert.True((m.Grants & ~before.Mappings[(pmap, va)].Grants) == 0, $"{op} granted at 0x{va:x}");
                }
                if (op is Remove r)
                    Assert.DoesNotContain(
                        after.Mappings.Keys,
                        k => k.Item1 == r.Pmap && r.Sva <= k.Item2 && k.Item2 < r.Eva
                    );
                if (
                    op is not PageOp { Query: PageQuery.ClearModify or PageQuery.ClearReference }
                    && op is not Exit { Walk: not null }
                )
                {
                    foreach (var (page, flags) in before.Pages)
                    {
                        Assert.True(!flags.Mod || after.Pages[page].Mod, $"{op} lost page {page}'s modified state");
                        Assert.True(!flags.Ref || after.Pages[page].Ref, $"{op} lost page {page}'s referenced state");
                    }
                }
            }
        }
    }

    [Fact]
    public void Enter_WithAnAccessOutsideTheProtection_Panics()
    {
        foreach (var machine in Both())
        {
            machine.Reset();
            Assert.Throws<KernelPanic>(() => machine.Enter(0, 0x3fc000, 0, Prot.Read, Prot.Write, false, false));
            Assert.Throws<KernelPanic>(() => machine.PageProtect(0, Prot.Write));
            Assert.Throws<KernelPanic>(() => machine.Exec(0));
        }
    }

    [Fact]
    public void Invariants_ReportWhatTheyGuard()
    {
        var machine = new ReferencePmap(PmapProfile.Amd64);
        machine.Reset();
        machine.Enter(0, 0x3fc000, 0, Prot.Read, Prot.None, true, false);
        machine.Unwire(0, 0x3fc000);
        Assert.Null(machine.CheckInvariants(full: false));
        machine.Activate(1, 0);
        Assert.Null(machine.CheckInvariants(full: false));
        machine.Exit(0, PmapWorld.Teardowns[0], null);
        Assert.Null(machine.CheckInvariants(full: false));
        Assert.Equal(IPmapMachine.NoPmap, machine.CurrentOn(1));
        Assert.Equal(1, machine.LastTeardown.PtesVisited);
    }
}

/// <summary>The pieces of the reference that random sequences cannot break: invariant verdicts, replay syntax, the profile table.</summary>
[Trait("Category", "Law")]
public class PmapReferencePieces
{
    [Fact]
    public void TeardownFacts_NameEachBrokenTeardown()
    {
        string? Verdict(Action<TeardownFacts> facts)
        {
            var sink = new TeardownFacts();
            sink.Begin();
            facts(sink);
            return sink.Verdict();
        }
        Assert.Null(Verdict(f => f.Pmap(0, alive: true, 1, 0)));
        Assert.Contains("still has 2 mappings", Verdict(f => f.Pmap(1, alive: false, 2, 0)));
        Assert.Contains("wire count -1", Verdict(f => f.Page(3, false, false, -1)));
        Assert.Contains(
            "runs dead pmap 2",
            Verdict(f =>
            {
                f.Cpu(0, 2);
                f.Pmap(2, false, 0, 0);
            })
        );
        Assert.Contains(
            "names dead pmap 1",
            Verdict(f =>
            {
                f.Pv(0, 1, 0x3fc000);
                f.Pmap(1, false, 0, 0);
            })
        );
        Assert.Null(
            Verdict(f =>
            {
                f.Cpu(1, IPmapMachine.NoPmap);
                f.Mapping(0, 0x3fc000, 0, Prot.Read, false);
            })
        );
    }

    [Theory]
    [InlineData("Enter(pmap: 3, va: 0x3fc000, page: 0, prot: r__, access: ___)", "pmap 3 is out of range")]
    [InlineData("Enter(pmap: 0, va: 0x3fc001, page: 0, prot: r__, access: ___)", "not page-aligned")]
    [InlineData("Enter(pmap: 0, va: 0x1000, page: 0, prot: r__, access: ___)", "not inside a map entry")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rw, access: ___)", "is not like rw_")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: rwz, access: ___)", "is not like rw_")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: _w_, access: ___)", "write-only")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: _w_)", "not within prot")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: r__, access: ___, wired: maybe)", "true or false")]
    [InlineData("Enter(pmap: 0, va: 0x3fc000, page: 0, prot: 7, access: ___)", "written like")]
    [InlineData("Remove(pmap: 0, sva: 0x3fc000, eva: 0x3fc000)", "not a non-empty range")]
    [InlineData("Remove(pmap: 0, sva: x, eva: 0x3fd000)", "must be a number")]
    [InlineData("PageProtect(page: 0, prot: rw_)", "___ or r__")]
    [InlineData("Access(cpu: 0, va: 0x3fc000, kind: rw_)", "one of r__")]
    [InlineData("Exit(pmap: 0, at: 0, walk: Sleep, page: 0)", "unknown walk")]
    [InlineData("Exit(pmap: 0, at: 0, walk: 3, page: 0)", "walk must be a name")]
    [InlineData("Exit(pmap: 0, wired: 1)", "must be a list")]
    [InlineData("Exit(pmap: 0, wired: [3])", "numbered 0..2")]
    [InlineData("Exit(pmap: 0, wired: [x])", "numbered 0..2")]
    [InlineData("Fly(pmap: 0)", "unknown operation")]
    public void Parser_RejectsWhatCallersMayNotPass(string line, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => PmapOpParser.Parse(line)).Message);

    [Fact]
    public void Ops_PrintWhatTheParserReads()
    {
        string[] lines =
        [
            "Enter(pmap: 0, va: 0x3fc000, page: 1, prot: rwx, access: r__, wired: true, fail: true)",
            "Protect(pmap: 1, sva: 0x3fc000, eva: 0x3fe000, prot: r_x)",
            "Unwire(pmap: 2, va: 0x1000000000)",
            "ClearModify(page: 5)",
            "Activate(cpu: 1, pmap: 2)",
            "Deactivate(cpu: 0)",
            "Exit(pmap: 0, at: 2, walk: ProtectRead, page: 4)",
            "Exit(pmap: 0, at: 2, walk: ProtectRead, page: 4, wired: [0, 2])",
            "Exit(pmap: 1, wired: [1])",
            "Exec(pmap: 1)",
        ];
        foreach (var line in lines)
            Assert.Equal(line, PmapOpParser.Parse(line).ToString());
    }

    /// <summary>The profile rows as read off the sources (see <see cref="PmapProfile"/>'s citations).</summary>
    [Fact]
    public void ProfileTable_IsTheOneReadOffTheSources()
    {
        var amd64 = PmapProfile.Of(Arch.Amd64);
        var arm64 = PmapProfile.Of(Arch.Arm64);
        Assert.Equal(Arch.Amd64, amd64.Arch);
        Assert.Equal(Arch.Arm64, arm64.Arch);
        Assert.Equal(Prot.Read, amd64.Grants[(int)Prot.None]);
        Assert.Equal(Prot.None, arm64.Grants[(int)Prot.None]);
        Assert.Equal(Prot.Read | Prot.Exec, amd64.Grants[(int)Prot.Exec]);
        Assert.Equal(Prot.Exec, arm64.Grants[(int)Prot.Exec]);
        Assert.Equal(
            (false, false, false, false, true, false, true),
            (
                amd64.ProtectStripsWrite,
                amd64.ProtectWriteOnlyRemoves,
                amd64.FailedEnterRemovesOld,
                amd64.SameEnterKeepsWiring,
                amd64.PageProtectReadKeepsExec,
                amd64.EnterPresetsRefMod,
                amd64.ResidentCountsTables
            )
        );
        Assert.Equal(
            (true, true, true, true, false, true, false),
            (
                arm64.ProtectStripsWrite,
                arm64.ProtectWriteOnlyRemoves,
                arm64.FailedEnterRemovesOld,
                arm64.SameEnterKeepsWiring,
                arm64.PageProtectReadKeepsExec,
                arm64.EnterPresetsRefMod,
                arm64.ResidentCountsTables
            )
        );
        Assert.Equal("r_x", ProtText.Of(Prot.Read | Prot.Exec));
        Assert.Null(ProtText.Parse("r-x"));
    }

    [Fact]
    public void World_EntriesHoldRangesAndNothingElse()
    {
        Assert.Equal(0, PmapWorld.EntryOf(0x3fc000, 0x404000));
        Assert.Equal(-1, PmapWorld.EntryOf(0x3fc000, 0x405000));
        Assert.Equal(-1, PmapWorld.EntryOf(0x3fd000, 0x3fd000));
        Assert.True(PmapWorld.Entries[^1].End <= PmapWorld.UserTop);
    }
}
