namespace Automation.Server.MarketerConsole.Editing;

/// <summary>One line of a diff: <c>' '</c> in both, <c>'-'</c> only in the published file, <c>'+'</c> only in the draft.</summary>
public sealed record DiffLine(char Change, string Text);

/// <summary>A line diff by longest common subsequence: content files are a few hundred lines, so the table is small.</summary>
internal static class LineDiff
{
    public static IReadOnlyList<DiffLine> Of(string before, string after)
    {
        var a = Lines(before);
        var b = Lines(after);
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
        var diff = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { diff.Add(new DiffLine(' ', a[x])); x++; y++; }
            // Where either way keeps as much in common, the removed line first, as diff prints a change.
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1])) diff.Add(new DiffLine('-', a[x++]));
            else diff.Add(new DiffLine('+', b[y++]));
        }
        return diff;
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
