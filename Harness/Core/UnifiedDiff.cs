using System.Text;
using DiffPlex;

namespace UvmDiff.Harness.Core;

/// <summary>A unified diff (as diff -u prints it) of two texts, built on DiffPlex's line diff.</summary>
public static class UnifiedDiff
{
    /// <summary>
    /// => a missing final newline is not reported as a difference: both texts are compared as lines
    /// </summary>
    public static string Create(string oldText, string newText, string oldName, string newName, int context = 3)
    {
        var result = new Differ().CreateCustomDiffs(oldText, newText, ignoreWhiteSpace: false, Lines);
        string[] oldLines = [.. result.PiecesOld];
        string[] newLines = [.. result.PiecesNew];
        var blocks = result.DiffBlocks;
        if (blocks.Count == 0)
            return "";

        var sb = new StringBuilder();
        sb.Append("--- ").Append(oldName).Append('\n');
        sb.Append("+++ ").Append(newName).Append('\n');
        int b = 0;
        while (b < blocks.Count)
        {
            int first = b;
            while (
                b + 1 < blocks.Count
                && blocks[b + 1].DeleteStartA - (blocks[b].DeleteStartA + blocks[b].DeleteCountA) <= 2 * context
            )
                b++;
            int oldStart = Math.Max(0, blocks[first].DeleteStartA - context);
            int newStart = Math.Max(0, blocks[first].InsertStartB - context);
            int oldEnd = Math.Min(oldLines.Length, blocks[b].DeleteStartA + blocks[b].DeleteCountA + context);
            int newEnd = Math.Min(newLines.Length, blocks[b].InsertStartB + blocks[b].InsertCountB + context);
            sb.Append($"@@ -{Range(oldStart, oldEnd - oldStart)} +{Range(newStart, newEnd - newStart)} @@\n");
            int a = oldStart;
            for (int k = first; k <= b; k++)
            {
                var block = blocks[k];
                for (; a < block.DeleteStartA; a++)
                    sb.Append(' ').Append(oldLines[a]).Append('\n');
                for (int d = 0; d < block.DeleteCountA; d++)
                    sb.Append('-').Append(oldLines[block.DeleteStartA + d]).Append('\n');
                for (int i = 0; i < block.InsertCountB; i++)
                    sb.Append('+').Append(newLines[block.InsertStartB + i]).Append('\n');
                a = block.DeleteStartA + block.DeleteCountA;
            }
            for (; a < oldEnd; a++)
                sb.Append(' ').Append(oldLines[a]).Append('\n');
            b++;
        }
        return sb.ToString();
    }

    /// <summary>A hunk range as diff -u prints it: an empty range names the line before it.</summary>
    private static string Range(int start, int count) => count == 0 ? $"{start},0" : $"{start + 1},{count}";

    /// <summary>The lines of a text; a final newline ends the last line rather than starting another.</summary>
    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
