using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>What starts a journey for a customer.</summary>
public abstract record JourneyTrigger(string? Condition);

/// <summary>Entered when one of <see cref="Events"/> is ingested and <see cref="JourneyTrigger.Condition"/> holds.</summary>
public sealed record EventTrigger(IReadOnlyList<string> Events, string? Condition) : JourneyTrigger(Condition);

/// <summary>Entered by everyone matching the audience condition when the Quartz cron fires, in each customer's time zone.</summary>
public sealed record ScheduleTrigger(string Cron, string? Condition) : JourneyTrigger(Condition);

/// <summary>Entered by everyone matching the audience condition, checked every <see cref="Every"/>.</summary>
public sealed record ScanTrigger(TimeSpan Every, string? Condition) : JourneyTrigger(Condition);

/// <summary>When an instance ends early: one of the events arrives, or the condition holds.</summary>
public sealed record JourneyExit(IReadOnlyList<string> Events, string? Condition)
{
    public static JourneyExit None { get; } = new([], null);
}

/// <summary>One rule of the workflow: when its expression holds, its action runs, at most once per instance.</summary>
public sealed record JourneyStep(string Name, string Expression, StepAction Action, int Line);

/// <summary>A journey file, validated and ready to run.</summary>
public sealed record JourneyDefinition
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool Enabled { get; init; } = true;
    public required JourneyTrigger Trigger { get; init; }
    public JourneyExit Exit { get; init; } = JourneyExit.None;

    /// <summary>How long after entering a customer may enter again; null means never.</summary>
    public TimeSpan? ReEntryAfter { get; init; }

    /// <summary>An instance older than this ends.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(90);

    public required IReadOnlyList<JourneyStep> Steps { get; init; }

    /// <summary>The RulesEngine workflow of the steps, as written.</summary>
    public required Workflow Workflow { get; init; }

    public required string SourceFile { get; init; }

    /// <summary>
    /// The version of the file it was read from: the SHA-256 of its bytes, as a published content version names the
    /// file. An instance keeps running the version it entered with (see <see cref="JourneySet.VersionOf"/>).
    /// </summary>
    public string Hash { get; init; } = "";

    /// <summary>Its expressions, compiled and checked when the file was read.</summary>
    public required JourneyRules Rules { get; init; }
}
