using System.Text;
using Automation.Core.Coupons;

namespace Automation.Server.Cli;

/// <summary>
/// Reads the codes of a CSV file for <c>automation coupons import</c>: one code a line, optionally under a header
/// <c>code</c>, optionally quoted as spreadsheets write them (<c>"A1B2"</c>). Empty lines are skipped. Problems come
/// as <c>file:line: reason</c>, every one of them, so a file is fixed in one pass.
/// </summary>
internal static class CouponCodeFile
{
    private const string Header = "code";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The codes of <paramref name="path"/>, or the problems that stop it from being imported.</summary>
    public static (IReadOnlyList<string> Codes, IReadOnlyList<string> Problems) Read(string path, string shownAs)
    {
        var codes = new List<string>();
        var problems = new List<string>();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], [$"{shownAs}: cannot be read: {e.Message}"]);
        }
        var text = bytes.AsSpan(bytes.AsSpan().StartsWith(Utf8Bom) ? Utf8Bom.Length : 0);
        var number = 0;
        foreach (var range in text.Split((byte)'\n'))
        {
            number++;
            var bytesOfLine = text[range].TrimEnd((byte)'\r');
            if (bytesOfLine.IsEmpty) continue;
            string line;
            try
            {
                line = StrictUtf8.GetString(bytesOfLine);
            }
            catch (DecoderFallbackException)
            {
                // Decoded line by line so the problem names its line: a file in another encoding would otherwise
                // import codes no checkout recognises.
                problems.Add($"{shownAs}:{number}: is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)");
                continue;
            }
            var (code, problem) = Field(line);
            if (problem is null && codes.Count == 0 && problems.Count == 0 && string.Equals(code, Header, StringComparison.OrdinalIgnoreCase)) continue;
            problem ??= ImportedCodes.Problem(code) is { } reason ? $"the code {reason}" : null;
            if (problem is null) codes.Add(code!);
            else problems.Add($"{shownAs}:{number}: {problem}");
        }
        if (problems.Count == 0 && codes.Count == 0) problems.Add($"{shownAs}: holds no codes");
        return (codes, problems);
    }

    // One field: plain, or quoted with "" standing for a quote inside.
    private static (string? Code, string? Problem) Field(string line)
    {
        if (!line.StartsWith('"')) return line.Contains(',', StringComparison.Ordinal)
            ? (null, "holds several fields; the file has one code a line")
            : (line, null);
        if (line.Length < 2 || !line.EndsWith('"')) return (null, "opens a quote it does not close");
        var inner = line[1..^1];
        if (inner.Replace("\"\"", "", StringComparison.Ordinal).Contains('"', StringComparison.Ordinal))
            return (null, "holds a quote inside a quoted code that is not doubled (\"\"), or several fields");
        return (inner.Replace("\"\"", "\"", StringComparison.Ordinal), null);
    }
}
