using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using UvmDiff.Implementations;
using UvmDiff.Implementations.Objects;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// What a failing differential [Property] shows in dotnet test's output. The property is run in-process
/// under a fault, with FsCheck.Xunit's own runner, and its failure is rendered by the exception type
/// FsCheck.Xunit throws: the text a developer would see, the replay seed in it, the shrunk trace in it,
/// and the trace file the property leaves behind.
/// </summary>
public partial class PropertyReportTests
{
    [Fact]
    public void FailingProperty_UnderAFault_ShowsReplaySeedAndShrunkTraceAndWritesIt()
    {
        string trace = Path.Combine(Path.GetTempPath(), $"uvmdiff-property-{Guid.NewGuid():N}.trace");
        var faults = FaultSet.Of(ObjectFaults.UvnFlushRestartClobbersStart);
        try
        {
            string message = Failure(faults, trace, replay: null);

            var seed = ReplaySeed().Match(message);
            Assert.True(seed.Success, message);
            int shrunkAt = message.IndexOf("Shrunk:", StringComparison.Ordinal);
            Assert.True(shrunkAt > 0, message);
            var written = TraceFile.Read(ObjectLayer.Instance, trace);
            Assert.InRange(written.Count, 1, TestSettings.MaxShrunkOps);
            Assert.Contains(string.Concat(written.Select(op => $"  {op}\n")), message[shrunkAt..]);
            Assert.Contains("divergence at step", message);

            string replayed = Failure(
                faults,
                trace,
                (ulong.Parse(seed.Groups[1].Value), ulong.Parse(seed.Groups[2].Value))
            );
            Assert.Equal(message[shrunkAt..], replayed[replayed.IndexOf("Shrunk:", StringComparison.Ordinal)..]);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    private static string Failure(FaultSet faults, string trace, (ulong Seed, ulong Gamma)? replay)
    {
        var runner = new XunitRunner();
        var config = Config.Default.WithMaxTest(TestSettings.Cases).WithQuietOnSuccess(true).WithRunner(runner);
        if (replay is { } r)
            config = config.WithReplay(r.Seed, r.Gamma);
        Check.One(
            config,
            Prop.ForAll(
                ObjectSequences.Sequences(),
                ops => DifferentialProperty.Holds(ObjectLayer.Instance, faults, ops, trace)
            )
        );
        return new PropertyFailedException(runner.Result).Message;
    }

    [GeneratedRegex(@"Falsifiable, after \d+ tests \(\d+ shrinks\) \((\d+),(\d+)\)")]
    private static partial Regex ReplaySeed();
}
