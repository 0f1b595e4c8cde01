using System.Collections.Concurrent;
using Automation.Core.Customers;
using Automation.Core.Storage;
using Microsoft.Extensions.Logging;
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

/// <summary>A running journey's expressions, compiled: its enabled steps in file order, and its conditions.</summary>
public sealed record CompiledJourney(JourneyDefinition Definition, IReadOnlyList<(JourneyStep Step, CompiledRule Rule)> Steps, CompiledRule? Trigger, CompiledRule? Exit)
{
    /// <summary>
    /// The parts of a customer snapshot its steps and exit condition read, for evaluating an instance, and the tier an
    /// AwardPoints step multiplies by a perk of.
    /// </summary>
    public SnapshotParts StepReads { get; } = Steps.Aggregate(Exit?.Reads ?? SnapshotParts.Profile, (parts, step) => parts | step.Rule.Reads
        | (step.Step.Action is AwardPointsAction { TimesPerk: not null } ? SnapshotParts.Tier : SnapshotParts.Profile));

    /// <summary>
    /// The parts of a customer snapshot entering reads: the trigger condition's, and the first evaluation's
    /// (<see cref="StepReads"/>), which runs in the same transaction. What coupon campaigns' <c>Eligible</c> read is
    /// not the journey's: the engine adds it to every snapshot it reads (<see cref="Coupons.CouponCatalog.EligibleReads"/>).
    /// </summary>
    public SnapshotParts EntryReads => (Trigger?.Reads ?? SnapshotParts.Profile) | StepReads;

    public static CompiledJourney From(JourneyDefinition journey)
    {
        var steps = journey.Steps.Zip(journey.Rules.Steps, journey.Workflow.Rules).Where(s => s.Third.Enabled).Select(s => (s.First, s.Second)).ToList();
        return new CompiledJourney(journey, steps, journey.Rules.Trigger, journey.Rules.Exit);
    }

    /// <summary>Every compiled rule of the journey: its trigger, its steps and its exit condition.</summary>
    public IEnumerable<CompiledRule> Rules()
    {
        if (Trigger is not null) yield return Trigger;
        foreach (var (_, rule) in Steps) yield return rule;
        if (Exit is not null) yield return Exit;
    }
}

/// <summary>
/// One consistent set of journeys with their expressions compiled. Immutable: a reload builds a new set and swaps
/// it in, so an evaluation never sees half of a reload.
/// </summary>
public sealed class JourneySet
{
    private readonly Dictionary<string, JourneyDefinition> _running;
    private readonly Dictionary<string, CompiledJourney> _compiled;
    private readonly IReadOnlyDictionary<string, CompiledJourney> _versions;

    /// <param name="versions">Versions of journeys by <see cref="JourneyDefinition.Hash"/>, for the instances that entered with them: the catalog's, which grows as it reads more.</param>
    public JourneySet(IReadOnlyList<CatalogEntry> entries, IReadOnlyDictionary<string, CompiledJourney>? versions = null)
    {
        Entries = entries;
        _versions = versions ?? new Dictionary<string, CompiledJourney>();
        _running = entries.Where(e => e.Running is { Enabled: true }).ToDictionary(e => e.Running!.Name, e => e.Running!, StringComparer.Ordinal);
        _compiled = _running.ToDictionary(r => r.Key, r => CompiledJourney.From(r.Value), StringComparer.Ordinal);
    }

    public static JourneySet Empty { get; } = new([]);

    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>The enabled journeys that run, last good versions included.</summary>
    public IEnumerable<JourneyDefinition> Running => _running.Values;

    public JourneyDefinition? Find(string name) => _running.GetValueOrDefault(name);

    /// <summary>A running journey's compiled expressions.</summary>
    public CompiledJourney Compiled(string name) => _compiled[name];

    /// <summary>
    /// The version of its journey an instance runs: the one it entered with (<see cref="JourneyInstance.JourneyHash"/>),
    /// else — entered before versions, or a version that can no longer be read — the running one. Null while the
    /// journey is not running (disabled or removed): its instances wait.
    /// </summary>
    public CompiledJourney? VersionOf(JourneyInstance instance) =>
        !_compiled.TryGetValue(instance.Journey, out var running) ? null
        : instance.JourneyHash is not { } hash || hash == running.Definition.Hash ? running
        : _versions.GetValueOrDefault(hash) ?? running;

    /// <summary>The compiled expressions of this version of a journey: the running one's, or an earlier version's an instance runs.</summary>
    public CompiledJourney CompiledOf(JourneyDefinition journey) =>
        _compiled.TryGetValue(journey.Name, out var running) && running.Definition.Hash == journey.Hash ? running : _versions.GetValueOrDefault(journey.Hash) ?? _compiled[journey.Name];

    /// <summary>The rules of a running journey that went past their budget in this set, by rule name.</summary>
    public IReadOnlyList<(string Rule, RuleQuarantine Quarantine)> Quarantined(string name) =>
        _compiled.TryGetValue(name, out var journey) ? [.. journey.Rules().Where(r => r.Quarantine is not null).Select(r => (r.Name, r.Quarantine!))] : [];

    public const string TriggerRule = "trigger";
    public const string ExitRule = "exit";
}

/// <summary>
/// The journeys the server runs, reloaded from the rules folder. A file that turns bad is reported and its last good
/// version keeps running; a file that is removed stops. Every version run in this process is kept, and earlier ones
/// an instance entered with are read back from the published content's bytes (<paramref name="versions"/>), so an
/// instance runs the version it entered with until it ends.
/// </summary>
public sealed partial class JourneyCatalog(IContentVersionStore? versions = null, ILogger<JourneyCatalog>? logger = null)
{
    private readonly ConcurrentDictionary<string, CompiledJourney> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unreadable = new(StringComparer.Ordinal);
    private JourneyReadOptions? _options;
    private JourneySet _current = JourneySet.Empty;

    public JourneySet Current => Volatile.Read(ref _current);

    /// <summary>Reads the folder again and swaps in the new set; returns it.</summary>
    public JourneySet Reload(ContentFolder rules, JourneyReadOptions options)
    {
        _options = options;
        return Replace(JourneyDirectory.Load(rules, options));
    }

    /// <summary>
    /// Reads back the versions these instances entered with that this process has not run (after a restart, or
    /// published on another node), so <see cref="JourneySet.VersionOf"/> finds them. One that cannot be read (its bytes
    /// gone, or it no longer compiles against what is there now) is logged once, and its instances run the current version.
    /// </summary>
    public async Task LoadVersionsAsync(IEnumerable<JourneyInstance> instances, CancellationToken ct)
    {
        if (versions is null || _options is not { } options) return;
        var set = Current;
        var missing = instances.Where(i => i.JourneyHash is { } hash && set.Find(i.Journey) is { } running && running.Hash != hash
            && !_versions.ContainsKey(hash) && !_unreadable.ContainsKey(hash)).DistinctBy(i => i.JourneyHash).ToList();
        if (missing.Count == 0) return;
        foreach (var instance in missing)
        {
            var hash = instance.JourneyHash!;
            var bytes = await versions.FindBlobAsync(hash, ct);
            var read = bytes is null ? null : new JourneyFileReader(options).Read($"{instance.Journey}.json", bytes);
            if (read?.Journey is { } journey) _versions[hash] = CompiledJourney.From(journey);
            else if (_unreadable.TryAdd(hash, true) && logger is not null)
                LogUnreadable(logger, instance.Journey, hash, bytes is null ? "its bytes are not in the content versions" : string.Join("; ", read!.Problems.Select(p => p.Reason)));
        }
    }

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
        foreach (var running in entries.Select(e => e.Running).OfType<JourneyDefinition>().Where(r => r.Hash.Length > 0))
            _versions.TryAdd(running.Hash, CompiledJourney.From(running));
        var set = new JourneySet(entries, _versions);
        Volatile.Write(ref _current, set);
        return set;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journey {Journey}: the version {Hash} its instances entered with cannot be read ({Reason}); they run the current version")]
    private static partial void LogUnreadable(ILogger logger, string journey, string hash, string reason);
}
