namespace UvmDiff.Implementations.Concurrency;

/// <summary>The calls a thread of a program can make, each on one owner slot.</summary>
public enum CallName : byte
{
    AnFree,
    AnonRelease,
    AnFreeList,
    UaoFlushFree,
    KmPgremove,
    Wire,
    Unwire,
    Fault,
    Deactivate,
    DaemonFree,
}

/// <summary>One thread of a stepped run: its routine, its place in it, and what its calls returned.</summary>
public sealed class SteppedThread
{
    public IEnumerator<Step>? Body;
    public bool Done;
    public readonly List<string> Results = [];

    /// <summary>What the call in progress returns; set by its last step.</summary>
    public string Result = "";
}
