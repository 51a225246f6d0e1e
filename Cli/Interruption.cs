using System.Runtime.InteropServices;

namespace UvmDiff.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a cancellation: the campaign stops at its next sequence boundary, writes what
/// it found, prints its summary and exits. A second Ctrl-C is left to the runtime (it kills the process).
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _term;
    private readonly ConsoleCancelEventHandler _ctrlC;

    public Interruption()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _ctrlC = (_, args) =>
        {
            if (_source.IsCancellationRequested)
                return;
            args.Cancel = true;
            _source.Cancel();
        };
        Console.CancelKeyPress += _ctrlC;
    }

    public CancellationToken Token => _source.Token;

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= _ctrlC;
        _term.Dispose();
        _source.Dispose();
    }
}
