using System.Text;
using DiffPlex;

namespace UvmDiff.Harness.Core;

/// <summary>A unified diff (as diff -u prints it) of two texts, built on DiffPlex's line diff.</summary>
public static class UnifiedDiff
{
    public static string Create(string oldText, string newText, string oldName, string newName, int context = 3)
    {
        var result = new Differ().CreateLineDiffs(oldText, newText, ignoreWhitespace: false);
        var oldLines = Lines(result.PiecesOld);
        var newLines = Lines(result.PiecesNew);
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
            int oldEnd = Math.Min(oldLines.Count, blocks[b].DeleteStartA + blocks[b].DeleteCountA + context);
            int newEnd = Math.Min(newLines.Count, blocks[b].InsertStartB + blocks[b].InsertCountB + context);
            sb.Append($"@@ -{oldStart + 1},{oldEnd - oldStart} +{newStart + 1},{newEnd - newStart} @@\n");
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

    private static List<string> Lines(IReadOnlyList<string> pieces)
    {
        var lines = new List<string>(pieces);
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
