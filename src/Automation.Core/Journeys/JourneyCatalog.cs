using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>How a journey file stands.</summary>
public enum JourneyStatus
{
    /// <summary>Valid and enabled: it runs.</summary>
    Active,

    /// <summary>Valid, but <c>"Enabled": false</c>.</summary>
    Disabled,

    /// <summary>The file has problems; its last good version, if any, keeps running.</summary>
    Invalid,
}

/// <summary>A journey file as the catalog holds it.</summary>
/// <param name="Running">The version that runs: the file's own, or its last good one while the file is invalid.</param>
public sealed record CatalogEntry(string Name, string File, JourneyStatus Status, JourneyDefinition? Running, IReadOnlyList<JourneyProblem> Problems);

/// <summary>
/// One consistent set of journeys and the RulesEngine that runs them. Immutable: a reload builds a new set and
/// swaps it in, so an evaluation never sees half of a reload.
/// </summary>
public sealed class JourneySet
{
    private readonly Dictionary<string, JourneyDefinition> _running;

    public JourneySet(IReadOnlyList<CatalogEntry> entries)
    {
        Entries = entries;
        _running = entries.Where(e => e.Running is { Enabled: true }).ToDictionary(e => e.Running!.Name, e => e.Running!, StringComparer.Ordinal);
        var workflows = _running.Values.SelectMany(Workflows).ToArray();
        Engine = new RulesEngine.RulesEngine(workflows, RuleCompilation.Settings());
    }

    public static JourneySet Empty { get; } = new([]);

    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>The enabled journeys that run, last good versions included.</summary>
    public IEnumerable<JourneyDefinition> Running => _running.Values;

    public RulesEngine.RulesEngine Engine { get; }

    public JourneyDefinition? Find(string name) => _running.GetValueOrDefault(name);

    /// <summary>The workflow holding the trigger and exit conditions of a journey.</summary>
    public static string ConditionsWorkflow(string journey) => $"{journey}:conditions";

    public const string TriggerRule = "trigger";
    public const string ExitRule = "exit";

    private static IEnumerable<Workflow> Workflows(JourneyDefinition journey)
    {
        yield return journey.Workflow;
        var conditions = new List<Rule>();
        if (journey.Trigger.Condition is { } trigger) conditions.Add(Condition(TriggerRule, trigger));
        if (journey.Exit.Condition is { } exit) conditions.Add(Condition(ExitRule, exit));
        if (conditions.Count > 0)
            yield return new Workflow { WorkflowName = ConditionsWorkflow(journey.Name), GlobalParams = journey.Workflow.GlobalParams, Rules = conditions };
    }

    private static Rule Condition(string name, string expression) =>
        new() { RuleName = name, Expression = expression, RuleExpressionType = RuleExpressionType.LambdaExpression };
}

/// <summary>
/// The journeys the server runs, reloaded from the rules folder. A file that turns bad is reported and its last good
/// version keeps running; a file that is removed stops.
/// </summary>
public sealed class JourneyCatalog
{
    private JourneySet _current = JourneySet.Empty;

    public JourneySet Current => Volatile.Read(ref _current);

    /// <summary>Reads the folder again and swaps in the new set; returns it.</summary>
    public JourneySet Reload(string rulesFolder, JourneyReadOptions options) => Replace(JourneyDirectory.Load(rulesFolder, options));

    /// <summary>Swaps in a set built from these files; an invalid file keeps its last good version running.</summary>
    public JourneySet Replace(IReadOnlyList<JourneyFileResult> files)
    {
        var previous = Current.Entries.ToDictionary(e => e.File, StringComparer.Ordinal);
        var entries = new List<CatalogEntry>();
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file.File);
            if (file.Journey is { } journey)
            {
                entries.Add(new CatalogEntry(name, file.File, journey.Enabled ? JourneyStatus.Active : JourneyStatus.Disabled, journey, []));
            }
            else
            {
                var lastGood = previous.GetValueOrDefault(file.File)?.Running;
                entries.Add(new CatalogEntry(name, file.File, JourneyStatus.Invalid, lastGood, file.Problems));
            }
        }
        var set = new JourneySet(entries);
        Volatile.Write(ref _current, set);
        return set;
    }
}
