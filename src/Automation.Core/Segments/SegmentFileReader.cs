using System.Text.RegularExpressions;
using Automation.Core.Journeys;

namespace Automation.Core.Segments;

/// <summary>
/// Reads one <c>rules/segments/&lt;name&gt;.json</c>: <c>Description</c> and <c>Expression</c>, compiled and run once
/// against an empty customer as journey expressions are, then against a busy one (<see cref="BusyFieldCount"/> tags and
/// traits) within the rule budget: a segment runs for every customer, and one that runs out of budget would be
/// quarantined mid-count. Problems come as <c>file:line: reason</c>.
/// </summary>
public static partial class SegmentFileReader
{
    /// <summary>The tags and traits of the busy customer an expression must be cheap enough for.</summary>
    public const int BusyFieldCount = 60;

    private static readonly string[] TopLevelFields = ["$schema", "Description", "Expression"];

    private static readonly Facts Busy = Facts.Empty() with
    {
        Customer = new CustomerFacts
        {
            Tags = [.. Enumerable.Range(0, BusyFieldCount).Select(i => $"tag-{i}")],
            Traits = Enumerable.Range(0, BusyFieldCount).ToDictionary(i => $"trait{i}", i => $"value {i}"),
        },
    };

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
        if (compiled is not null && compiled[0].Evaluate(Busy, DateTimeOffset.UnixEpoch).Error is { } error)
            check.Add("Expression", null, $"is too costly to run for every customer: on one with {BusyFieldCount} tags and traits it {error.Replace("quarantined: ", "", StringComparison.Ordinal)}");
        if (check.Problems.Count > 0 || compiled is null) return (null, check.Problems);
        return (new Segment(name, description, expression!, compiled[0], file), []);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SegmentName();
}
