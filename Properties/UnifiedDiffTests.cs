using UvmDiff.Harness.Core;
using Xunit;

namespace UvmDiff.Properties;

public class UnifiedDiffTests
{
    [Fact]
    public void TwoTexts_WithOneChangedLine_GiveDiffUHunk()
    {
        string a = "a\nb\nc\nd\ne\nf\ng\n";
        string b = "a\nb\nc\nD\ne\nf\ng\n";
        const string expected = "--- old\n+++ new\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n";
        Assert.Equal(expected, UnifiedDiff.Create(a, b, "old", "new"));
    }

    [Fact]
    public void FarApartChanges_GiveSeparateHunks()
    {
        string a = string.Join("\n", Enumerable.Range(1, 20)) + "\n";
        string b = a.Replace("\n2\n", "\ntwo\n").Replace("\n19\n", "\n19\nnineteen-and-a-half\n");
        const string expected =
            "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -17,4 +17,5 @@\n 17\n 18\n 19\n+nineteen-and-a-half\n 20\n";
        Assert.Equal(expected, UnifiedDiff.Create(a, b, "a", "b"));
    }

    [Fact]
    public void EmptyOldText_GivesDiffUHunkFromLineZero() =>
        Assert.Equal("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n", UnifiedDiff.Create("", "x\ny\n", "a", "b"));

    [Fact]
    public void MissingFinalNewlineOnOneSide_IsNotADifference() =>
        Assert.Equal("", UnifiedDiff.Create("x\ny", "x\ny\n", "a", "b"));

    [Fact]
    public void EqualTexts_GiveNoDiff() => Assert.Equal("", UnifiedDiff.Create("x\n", "x\n", "a", "b"));
}
