using UvmDiff.Harness.Snapshots;
using Xunit;

namespace UvmDiff.Snapshots;

/// <summary>The Verify-style file conventions of <see cref="SnapshotStore"/>, in a scratch directory.</summary>
public sealed class SnapshotStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(
        Path.GetTempPath(),
        "uvmdiff-snapshots-" + Guid.NewGuid().ToString("N")
    );

    public SnapshotStoreTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Check_NoVerifiedFile_ReportsMissingAndWritesReceived()
    {
        var result = SnapshotStore.Check(_dir, "S", "a\nb", writeReceived: true);

        Assert.Equal(SnapshotStatus.Missing, result.Status);
        Assert.Contains("+a\n+b\n", result.Diff, StringComparison.Ordinal);
        Assert.Equal("a\nb\n", File.ReadAllText(Path.Combine(_dir, "S.received.txt")));
        Assert.False(File.Exists(Path.Combine(_dir, "S.verified.txt")));
    }

    [Fact]
    public void Check_DifferentText_GivesUnifiedDiffFromVerifiedToReceived()
    {
        File.WriteAllText(Path.Combine(_dir, "S.verified.txt"), "a\nb\nc\n");

        var result = SnapshotStore.Check(_dir, "S", "a\nB\nc\n", writeReceived: true);

        Assert.Equal(SnapshotStatus.Mismatch, result.Status);
        Assert.Equal("--- S.verified.txt\n+++ S.received.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", result.Diff);
        Assert.Contains(result.Diff, result.Message(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithoutWriteReceived_LeavesNoReceivedFile()
    {
        File.WriteAllText(Path.Combine(_dir, "S.received.txt"), "stale\n");

        var result = SnapshotStore.Check(_dir, "S", "new\n", writeReceived: false);

        Assert.False(result.IsMatch);
        Assert.Null(result.ReceivedPath);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Check_CrlfAndBomInVerified_MatchesAndDeletesStaleReceived()
    {
        File.WriteAllText(Path.Combine(_dir, "S.verified.txt"), "\uFEFFa\r\nb\r\n");
        File.WriteAllText(Path.Combine(_dir, "S.received.txt"), "old\n");

        var result = SnapshotStore.Check(_dir, "S", "a\nb\n\n", writeReceived: true);

        Assert.True(result.IsMatch);
        Assert.Equal(["S.verified.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Approve_AllReceived_ReplacesVerifiedAndRemovesReceived()
    {
        File.WriteAllText(Path.Combine(_dir, "B.verified.txt"), "old\n");
        SnapshotStore.Check(_dir, "B", "new", writeReceived: true);
        SnapshotStore.Check(_dir, "A", "first", writeReceived: true);

        var approved = SnapshotStore.Approve(_dir);

        Assert.Equal(["A", "B"], approved);
        Assert.Equal("new\n", File.ReadAllText(Path.Combine(_dir, "B.verified.txt")));
        Assert.Equal("first\n", File.ReadAllText(Path.Combine(_dir, "A.verified.txt")));
        Assert.Empty(Directory.GetFiles(_dir, "*.received.txt"));
        Assert.Empty(SnapshotStore.Approve(_dir));
    }

    [Fact]
    public void Approve_OneName_LeavesOtherReceivedFiles()
    {
        SnapshotStore.Check(_dir, "A", "a", writeReceived: true);
        SnapshotStore.Check(_dir, "B", "b", writeReceived: true);

        Assert.Equal(["A"], SnapshotStore.Approve(_dir, "A"));
        Assert.True(File.Exists(Path.Combine(_dir, "B.received.txt")));
        Assert.Empty(SnapshotStore.Approve(_dir, "C"));
    }

    [Fact]
    public void Approve_NameWithDirectoryPart_Throws()
    {
        Assert.Throws<ArgumentException>(() => SnapshotStore.Approve(_dir, "../x"));
    }
}
