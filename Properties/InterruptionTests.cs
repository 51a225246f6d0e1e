using System.Diagnostics;
using UvmDiff.Harness.Core;
using UvmDiff.Harness.Objects;
using Xunit;

namespace UvmDiff.Properties;

/// <summary>
/// A campaign killed mid-run, as a child process: SIGTERM stops it (the workers finish the sequence they
/// are in; the wait below only guards against a hang, it is not a speed bound) and it still prints its summary; killed in the middle of writing a trace (UVMDIFF_SLOW_WRITES holds the write open), it
/// leaves whole traces only, and the half-written temporary is recognised and cleared by the corpus.
/// </summary>
public sealed class InterruptionTests : IDisposable
{
    private readonly string _corpus = Path.Combine(Path.GetTempPath(), $"uvmdiff-corpus-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_corpus))
            Directory.Delete(_corpus, recursive: true);
    }

    [Fact]
    public void SigTerm_DuringACampaign_StopsAndPrintsTheSummary()
    {
        using var child = Start("--seconds", "600", "--out", _corpus);
        WaitFor(() => child.Output.Contains("fuzz: layer"), "the campaign to start");
        Thread.Sleep(500);
        Signal(child.Process, "TERM");
        Assert.True(child.Process.WaitForExit(30_000), "still running 30 s after SIGTERM");
        child.Process.WaitForExit(); // the timed wait does not wait for the last output lines to be read
        Assert.Contains("no divergence (interrupted)", child.Output);
        Assert.Contains("worker 0:", child.Output);
        Assert.Equal(0, child.Process.ExitCode);
    }

    [Fact]
    public void SigTerm_InTheMiddleOfWritingATrace_FinishesTheWriteAndLeavesOnlyWholeFiles()
    {
        using var child = Start("--fault", "NoPrefetch", "--keep-going", "--seconds", "600", "--out", _corpus);
        WaitFor(() => Temporaries().Length > 0, "a trace write to begin");
        Signal(child.Process, "TERM");
        Assert.True(child.Process.WaitForExit(15_000), "still running 15 s after SIGTERM");
        child.Process.WaitForExit();
        Assert.Contains("(interrupted)", child.Output);
        Assert.Empty(Temporaries());
        AssertWholeTraces(atLeast: 1);
    }

    [Fact]
    public void SigKill_InTheMiddleOfWritingATrace_LeavesWholeTracesAndATemporaryTheCorpusClears()
    {
        using var child = Start("--fault", "NoPrefetch", "--keep-going", "--seconds", "600", "--out", _corpus);
        WaitFor(() => Temporaries().Length > 0, "a trace write to begin");
        child.Process.Kill();
        child.Process.WaitForExit();
        Assert.NotEmpty(Temporaries());
        AssertWholeTraces(atLeast: 0);
        _ = new Corpus(_corpus);
        Assert.Empty(Temporaries());
    }

    private string[] Temporaries() =>
        Directory.Exists(_corpus)
            ? [.. Directory.GetFiles(_corpus).Where(f => TraceFile.IsTemporary(Path.GetFileName(f)))]
            : [];

    private void AssertWholeTraces(int atLeast)
    {
        var traces = Directory.GetFiles(_corpus, "*.trace");
        Assert.True(traces.Length >= atLeast, $"{traces.Length} traces written");
        foreach (var path in traces)
        {
            Assert.NotEmpty(TraceFile.Read(ObjectLayer.Instance, path));
            Assert.Single(Corpus.Read(_corpus), e => e.Path == path);
        }
    }

    private sealed class Child(Process process) : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public Process Process => process;

        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        public void Append(string? line)
        {
            lock (_output)
                _output.Append(line).Append('\n');
        }

        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill();
            process.Dispose();
        }
    }

    private static Child Start(params string[] fuzzArguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "uvmdiff.dll"));
        info.ArgumentList.Add("fuzz");
        info.ArgumentList.Add("--workers");
        info.ArgumentList.Add("1");
        info.ArgumentList.Add("--seed");
        info.ArgumentList.Add("1");
        foreach (var argument in fuzzArguments)
            info.ArgumentList.Add(argument);
        info.Environment["CI"] = "1";
        info.Environment["UVMDIFF_SLOW_WRITES"] = "2000";
        var child = new Child(Process.Start(info)!);
        child.Process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.Process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {process.Id}");
        kill.WaitForExit();
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException($"waited 60 s for {what}");
            Thread.Sleep(20);
        }
    }
}
