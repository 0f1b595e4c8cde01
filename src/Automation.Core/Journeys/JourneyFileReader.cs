using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;
using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>A journey file read: the definition, or every problem found in it.</summary>
public sealed record JourneyReadResult(JourneyDefinition? Journey, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// Reads one journey file: a Microsoft RulesEngine workflow plus the journey keys. Checks the JSON, every field,
/// every expression (sandbox and compilation) and every action, and reports each problem with its line.
/// </summary>
public sealed partial class JourneyFileReader(JourneyReadOptions options)
{
    private static readonly string[] TopLevelFields = ["$schema", "WorkflowName", "Description", "Enabled", "Trigger", "Exit", "ReEntry", "MaxAge", "GlobalParams", "Rules"];
    private static readonly string[] RuleFields = ["RuleName", "Expression", "RuleExpressionType", "LocalParams", "Actions", "Properties", "Enabled", "ErrorMessage", "SuccessEvent"];
    private static readonly string[] TriggerFields = ["Event", "Schedule", "Scan", "Segment", "Condition", "Audience"];
    private static readonly string[] TriggerKinds = ["Event", "Schedule", "Scan"];
    private static readonly string[] ExitFields = ["Events", "Condition"];
    private static readonly string[] ParamFields = ["Name", "Expression"];
    private static readonly string[] ActionsFields = ["OnSuccess"];
    private static readonly string[] ActionFields = ["Name", "Context"];

    /// <summary>Reads a journey from its UTF-8 text; <paramref name="file"/> names it in problems.</summary>
    public JourneyReadResult Read(string file, byte[] utf8)
    {
        if (ParseObject(file, utf8, "a journey file", out var journey) is { } unreadable) return Failed(unreadable);
        var check = new Checker(file, JsonLineIndex.Build(utf8)) { Options = options };

        check.UnknownFields(journey, "", TopLevelFields);
        var name = check.RequiredText(journey, "WorkflowName", "");
        var expectedName = Path.GetFileNameWithoutExtension(file);
        if (name is not null && !JourneyName().IsMatch(name)) check.Add("WorkflowName", null, $"'{name}' must be lower-case words joined by '-', such as cart-recovery");
        else if (name is not null && name != expectedName) check.Add("WorkflowName", null, $"'{name}' must match the file name '{expectedName}'");

        var trigger = ReadTrigger(journey, check);
        var exit = ReadExit(journey, check);
        var reEntry = ReadReEntry(journey, check);
        var maxAge = journey["MaxAge"] is null ? TimeSpan.FromDays(90) : check.Duration(journey, "MaxAge", "") ?? TimeSpan.FromDays(90);
        var globalParams = ReadParams(journey["GlobalParams"], "GlobalParams", null, check);
        var steps = ReadSteps(journey, check);

        var rules = check.Problems.Count == 0 ? RuleCompilation.Check(globalParams, steps, trigger!, exit, check, options.RuleLimits) : null;
        if (check.Problems.Count > 0) return new JourneyReadResult(null, check.Problems);

        var workflow = new Workflow
        {
            WorkflowName = name!,
            GlobalParams = globalParams,
            Rules = steps.Select(s => s.Rule).ToList(),
        };
        return new JourneyReadResult(new JourneyDefinition
        {
            Name = name!,
            Description = check.OptionalText(journey, "Description", "") ?? "",
            Enabled = check.OptionalBool(journey, "Enabled", "") ?? true,
            Trigger = trigger!,
            Exit = exit,
            ReEntryAfter = reEntry,
            MaxAge = maxAge,
            Steps = steps.Select(s => s.Step).ToList(),
            Workflow = workflow,
            SourceFile = file,
            Hash = Storage.ContentFile.HashOf(utf8),
            Rules = rules!,
        }, []);
    }

    private static JourneyTrigger? ReadTrigger(JsonObject journey, Checker check)
    {
        if (journey["Trigger"] is not JsonObject trigger)
        {
            check.Add("Trigger", null, journey["Trigger"] is null
                ? "is required: { \"Event\": … }, { \"Schedule\": \"<cron>\" } or { \"Scan\": \"PT1H\" }"
                : "must be an object");
            return null;
        }
        check.UnknownFields(trigger, "Trigger", TriggerFields);
        var kinds = TriggerKinds.Where(trigger.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            check.Add("Trigger", null, "must hold exactly one of Event, Schedule or Scan");
            return null;
        }
        var condition = check.OptionalText(trigger, "Condition", "Trigger");
        var audience = check.OptionalText(trigger, "Audience", "Trigger");
        if (trigger["Segment"] is not null)
        {
            if (kinds[0] == "Event") check.Add("Trigger.Segment", null, "belongs to Schedule and Scan triggers: they enter a segment's members when they come due");
            else audience = SegmentAudience(trigger, audience, check);
        }
        switch (kinds[0])
        {
            case "Event":
                if (audience is not null) check.Add("Trigger.Audience", null, "belongs to Schedule and Scan triggers; an Event trigger has a Condition");
                var events = check.TextOrTextList(trigger, "Event", "Trigger");
                return events is null ? null : new EventTrigger(events, condition);
            case "Schedule":
                if (condition is not null) check.Add("Trigger.Condition", null, "belongs to Event triggers; a Schedule trigger has an Audience");
                var cron = check.RequiredText(trigger, "Schedule", "Trigger");
                if (cron is not null && (cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is not (6 or 7) || check.Options.CronProblem?.Invoke(cron) is not null))
                    check.Add("Trigger.Schedule", null, $"'{cron}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]), such as '0 0 10 18 * ?'{Detail(check.Options.CronProblem?.Invoke(cron))}");
                return cron is null ? null : new ScheduleTrigger(cron, audience);
            default:
                if (condition is not null) check.Add("Trigger.Condition", null, "belongs to Event triggers; a Scan trigger has an Audience");
                var every = check.Duration(trigger, "Scan", "Trigger");
                if (every is { } e && e < TimeSpan.FromMinutes(1)) check.Add("Trigger.Scan", null, "must be at least PT1M");
                return every is null ? null : new ScanTrigger(every.Value, audience);
        }
    }

    /// <summary>
    /// The audience of a trigger naming a segment: the segment's expression, as read with the journeys, and the
    /// trigger's own Audience too when it has one.
    /// </summary>
    private static string? SegmentAudience(JsonObject trigger, string? audience, Checker check)
    {
        var segment = check.RequiredText(trigger, "Segment", "Trigger");
        if (segment is null || check.Options.SegmentExpression is not { } expressionOf) return audience;
        if (expressionOf(segment) is not { } expression)
        {
            check.Add("Trigger.Segment", null, $"'{segment}' is not a segment of rules/segments/ (or its file has problems)");
            return audience;
        }
        return audience is null ? expression : $"({expression}) && ({audience})";
    }

    private static JourneyExit ReadExit(JsonObject journey, Checker check)
    {
        if (journey["Exit"] is null) return JourneyExit.None;
        if (journey["Exit"] is not JsonObject exit)
        {
            check.Add("Exit", null, "must be an object with Events and/or Condition");
            return JourneyExit.None;
        }
        check.UnknownFields(exit, "Exit", ExitFields);
        var events = exit["Events"] is null ? [] : check.TextOrTextList(exit, "Events", "Exit") ?? [];
        return new JourneyExit(events, check.OptionalText(exit, "Condition", "Exit"));
    }

    private static TimeSpan? ReadReEntry(JsonObject journey, Checker check)
    {
        if (journey["ReEntry"] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (text == "Never") return null;
            // Every trigger enters, even at the same instant as the last: a journey that ends as it enters, one per event.
            if (text == "Always") return TimeSpan.Zero;
        }
        return journey["ReEntry"] is null ? null : check.Duration(journey, "ReEntry", "");
    }

    internal static List<ScopedParam> ReadParams(JsonNode? node, string path, string? rule, Checker check)
    {
        var result = new List<ScopedParam>();
        if (node is null) return result;
        if (node is not JsonArray array)
        {
            check.Add(path, rule, "must be an array of { \"Name\": …, \"Expression\": … }");
            return result;
        }
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (array[i] is not JsonObject param)
            {
                check.Add(itemPath, rule, "must be an object with Name and Expression");
                continue;
            }
            check.UnknownFields(param, itemPath, ParamFields, rule);
            var name = check.RequiredText(param, "Name", itemPath, rule);
            var expression = check.RequiredText(param, "Expression", itemPath, rule);
            if (name is not null && expression is not null) result.Add(new ScopedParam { Name = name, Expression = expression });
        }
        return result;
    }

    private static List<(JourneyStep Step, Rule Rule)> ReadSteps(JsonObject journey, Checker check)
    {
        var steps = new List<(JourneyStep, Rule)>();
        if (journey["Rules"] is not JsonArray rules || rules.Count == 0)
        {
            check.Add("Rules", null, "must be a non-empty array of rules");
            return steps;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var path = $"Rules[{i}]";
            if (rules[i] is not JsonObject rule)
            {
                check.Add(path, null, "must be a rule object");
                continue;
            }
            var ruleName = check.RequiredText(rule, "RuleName", path);
            var label = ruleName ?? $"rule {i + 1}";
            if (rule.ContainsKey("Rules") || rule.ContainsKey("Operator"))
                check.Add(path, label, "nested rules (Rules, Operator) are not supported in journeys: combine conditions with && and || in Expression");
            check.UnknownFields(rule, path, RuleFields, label, alreadyReported: ["Rules", "Operator"]);
            if (ruleName is not null && !names.Add(ruleName)) check.Add($"{path}.RuleName", label, "is used by another rule of this journey");
            if (rule["RuleExpressionType"] is not null && check.OptionalText(rule, "RuleExpressionType", path, label) is not "LambdaExpression")
                check.Add($"{path}.RuleExpressionType", label, "must be LambdaExpression (the default) when given");

            var expression = check.RequiredText(rule, "Expression", path, label);
            var localParams = ReadParams(rule["LocalParams"], $"{path}.LocalParams", label, check);
            var action = ReadAction(rule, path, label, check);
            var enabled = check.OptionalBool(rule, "Enabled", path, label) ?? true;
            if (ruleName is null || expression is null || action is null) continue;

            var reRule = new Rule
            {
                RuleName = ruleName,
                Expression = expression,
                RuleExpressionType = RuleExpressionType.LambdaExpression,
                LocalParams = localParams,
                Enabled = enabled,
                Properties = rule["Properties"] is JsonObject props ? props.Deserialize<Dictionary<string, object>>() : null,
            };
            steps.Add((new JourneyStep(ruleName, expression, action, check.Line(path)), reRule));
        }
        return steps;
    }

    private static StepAction? ReadAction(JsonObject rule, string path, string ruleLabel, Checker check)
    {
        var actionsPath = $"{path}.Actions";
        if (rule["Actions"] is not JsonObject actions || actions["OnSuccess"] is not JsonObject onSuccess)
        {
            check.Add(actionsPath, ruleLabel, "needs { \"OnSuccess\": { \"Name\": \"Send\", \"Context\": { … } } }");
            return null;
        }
        check.UnknownFields(actions, actionsPath, ActionsFields, ruleLabel);
        var onSuccessPath = $"{actionsPath}.OnSuccess";
        check.UnknownFields(onSuccess, onSuccessPath, ActionFields, ruleLabel);
        var name = check.RequiredText(onSuccess, "Name", onSuccessPath, ruleLabel);
        var context = onSuccess["Context"] as JsonObject ?? [];
        if (onSuccess["Context"] is not null and not JsonObject) check.Add($"{onSuccessPath}.Context", ruleLabel, "must be an object");
        if (name is null) return null;
        if (!StepActions.Names.Contains(name))
        {
            check.Add($"{onSuccessPath}.Name", ruleLabel, $"'{name}' is not an action: use one of {string.Join(", ", StepActions.Names)}");
            return null;
        }
        var problems = new List<(string Field, string Reason)>();
        var action = StepActions.Read(name, context, check.Options, problems);
        foreach (var (field, reason) in problems) check.Add($"{onSuccessPath}.Context.{field}", ruleLabel, reason);
        return action;
    }

    private static string Detail(string? problem) => problem is null ? "" : $": {problem}";

    /// <summary>Parses a rule file that must hold one JSON object (comments allowed); the problem when it does not.</summary>
    internal static JourneyProblem? ParseObject(string file, byte[] utf8, string what, out JsonObject root)
    {
        root = [];
        try
        {
            if (JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) is JsonObject parsed)
            {
                root = parsed;
                return null;
            }
            return new JourneyProblem(file, 1, null, $"{what} holds one JSON object");
        }
        catch (JsonException e)
        {
            return new JourneyProblem(file, (int)(e.LineNumber ?? 0) + 1, null, $"malformed JSON: {FirstSentence(e.Message)}");
        }
    }

    internal static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.');

    private static JourneyReadResult Failed(JourneyProblem problem) => new(null, [problem]);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex JourneyName();

    /// <summary>Collects problems with their lines while reading one file.</summary>
    internal sealed class Checker(string file, JsonLineIndex lines)
    {
        public List<JourneyProblem> Problems { get; } = [];
        public JourneyReadOptions Options { get; init; } = new(JourneyReadOptions.DefaultChannels, null);

        public static string Join(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

        public int Line(string path) => lines.LineOf(path);

        public void Add(string path, string? rule, string reason) => Problems.Add(new JourneyProblem(file, lines.LineOf(path), rule, $"{path}: {reason}"));

        public void UnknownFields(JsonObject obj, string path, string[] known, string? rule = null, string[]? alreadyReported = null)
        {
            foreach (var (key, _) in obj)
            {
                if (Array.IndexOf(known, key) < 0 && (alreadyReported is null || Array.IndexOf(alreadyReported, key) < 0))
                    Add(Join(path, key), rule, $"unknown field; expected one of {string.Join(", ", known)} (names are case-sensitive)");
            }
        }

        public string? OptionalText(JsonObject obj, string field, string path, string? rule = null)
        {
            var node = obj[field];
            if (node is null) return null;
            if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
            Add(Join(path, field), rule, "must be a string");
            return null;
        }

        public string? RequiredText(JsonObject obj, string field, string path, string? rule = null)
        {
            if (obj[field] is null)
            {
                Add(Join(path, field), rule, "is required");
                return null;
            }
            var text = OptionalText(obj, field, path, rule);
            if (text is not null && string.IsNullOrWhiteSpace(text))
            {
                Add(Join(path, field), rule, "must not be empty");
                return null;
            }
            return text;
        }

        /// <summary>A number field within [min, max] (whole when asked); null, with a problem unless absent and optional, otherwise.</summary>
        public decimal? Number(JsonObject obj, string field, string path, string? rule, decimal min, decimal max = decimal.MaxValue, bool whole = false, bool required = false)
        {
            var at = Join(path, field);
            switch (obj[field])
            {
                case null:
                    if (required) Add(at, rule, "is required");
                    return null;
                case JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var n) && n >= min && n <= max && (!whole || n == decimal.Truncate(n)):
                    return n;
                default:
                    Add(at, rule, $"must be a {(whole ? "whole " : "")}number of at least {min}{(max < decimal.MaxValue ? $" and at most {max}" : "")}");
                    return null;
            }
        }

        public bool? OptionalBool(JsonObject obj, string field, string path, string? rule = null)
        {
            var node = obj[field];
            if (node is null) return null;
            if (node is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
            Add(Join(path, field), rule, "must be true or false");
            return null;
        }

        public IReadOnlyList<string>? TextOrTextList(JsonObject obj, string field, string path)
        {
            switch (obj[field])
            {
                case JsonValue v when v.TryGetValue<string>(out var one) && !string.IsNullOrWhiteSpace(one):
                    return [one];
                case JsonArray list when list.Count > 0 && list.All(x => x is JsonValue xv && xv.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)):
                    return list.Select(x => x!.GetValue<string>()).ToList();
                default:
                    Add(Join(path, field), null, "must be an event name or a non-empty list of event names");
                    return null;
            }
        }

        public TimeSpan? Duration(JsonObject obj, string field, string path)
        {
            var text = OptionalText(obj, field, path);
            if (text is null) return null;
            try
            {
                var value = XmlConvert.ToTimeSpan(text);
                if (value > TimeSpan.Zero) return value;
            }
            catch (FormatException)
            {
                // reported below
            }
            Add(Join(path, field), null, $"'{text}' is not a positive ISO 8601 duration such as P7D or PT1H");
            return null;
        }
    }
}
