using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Journeys;
using RulesEngine.Models;

namespace Automation.Core.Tags;

/// <summary>The tag rules of rules/tags.json, compiled, and the problems of the file.</summary>
public sealed class TagRuleSet
{
    public const string WorkflowName = "tags";

    public TagRuleSet(IReadOnlyList<CompiledRule> rules)
    {
        Tags = [.. rules.Select(r => r.Name)];
        Rules = rules;
    }

    /// <summary>The tags the rules manage.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>One compiled rule per tag; its name is the tag.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }
}

/// <summary>
/// Reads rules/tags.json: the RulesEngine format, one rule per tag (<c>RuleName</c> is the tag), no actions: the tag
/// is on while the expression holds and off when it stops. Problems come as <c>file:line rule: reason</c>.
/// </summary>
public static partial class TagRulesReader
{
    private static readonly string[] TopLevelFields = ["$schema", "WorkflowName", "Description", "GlobalParams", "Rules"];
    private static readonly string[] RuleFields = ["RuleName", "Expression", "Description", "Enabled"];

    public static (TagRuleSet? Rules, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8, RuleLimits limits)
    {
        if (JourneyFileReader.ParseObject(file, utf8, "the tags file", out var top) is { } unreadable) return (null, [unreadable]);
        var check = new JourneyFileReader.Checker(file, JsonLineIndex.Build(utf8));

        check.UnknownFields(top, "", TopLevelFields);
        if (check.RequiredText(top, "WorkflowName", "") is { } name && name != TagRuleSet.WorkflowName)
            check.Add("WorkflowName", null, $"must be '{TagRuleSet.WorkflowName}'");
        var globals = JourneyFileReader.ReadParams(top["GlobalParams"], "GlobalParams", null, check);

        var probes = new List<RuleProbe>();
        if (top["Rules"] is not JsonArray array)
        {
            check.Add("Rules", null, "must be an array of { \"RuleName\": tag, \"Expression\": … }");
            array = [];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"Rules[{i}]";
            if (array[i] is not JsonObject rule)
            {
                check.Add(path, null, "must be an object");
                continue;
            }
            var tag = check.RequiredText(rule, "RuleName", path);
            check.UnknownFields(rule, path, RuleFields, tag);
            if (tag is not null && !TagName().IsMatch(tag)) check.Add($"{path}.RuleName", tag, "a tag is lower-case words joined by '-', such as high-value");
            else if (tag is not null && !seen.Add(tag)) check.Add($"{path}.RuleName", tag, "is used by another rule");
            var expression = check.RequiredText(rule, "Expression", path, tag);
            if (tag is null || expression is null || check.OptionalBool(rule, "Enabled", path, tag) == false) continue;
            probes.Add(new RuleProbe(tag, expression, [], $"{path}.Expression", tag));
        }
        var rules = check.Problems.Count == 0 ? RuleCompilation.CheckProbes(globals, probes, check, limits) : null;
        return rules is null ? (null, check.Problems) : (new TagRuleSet(rules), []);
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TagName();
}

/// <summary>The tag rules in force; a bad file is reported and the last good rules keep running.</summary>
public sealed class TagCatalog(RuleLimits? limits = null) : LastGoodFile<TagRuleSet>
{
    public TagRuleSet? Rules => Current;

    protected override (TagRuleSet? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) => TagRulesReader.Read(file, utf8, limits ?? RuleLimits.Default);
}
