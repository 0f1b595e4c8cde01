using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Segments;

/// <summary>
/// Reads one <c>rules/segments/&lt;name&gt;.json</c>: <c>Description</c> and <c>Expression</c>, compiled and run once
/// against an empty customer as journey expressions are. Problems come as <c>file:line: reason</c>.
/// </summary>
public static partial class SegmentFileReader
{
    private static readonly string[] TopLevelFields = ["$schema", "Description", "Expression"];

    public static (Segment? Segment, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "a segment file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));
        check.UnknownFields(top, "", TopLevelFields);
        var name = Path.GetFileNameWithoutExtension(file);
        if (!SegmentName().IsMatch(name)) check.Add("file name", null, $"'{name}' must be lower-case words joined by '-', such as high-value: the API names the segment by it");
        var description = check.OptionalText(top, "Description", "") ?? "";
        var expression = check.RequiredText(top, "Expression", "");
        IReadOnlyList<CompiledRule>? compiled = null;
        if (expression is not null)
            compiled = RuleCompilation.CheckProbes([], [new RuleProbe(name, expression, [], "Expression", null)], check, RuleLimits.Default);
        if (check.Problems.Count > 0 || compiled is null) return (null, check.Problems);
        return (new Segment(name, description, expression!, compiled[0], file), []);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SegmentName();
}
