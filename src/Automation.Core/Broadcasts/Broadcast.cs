namespace Automation.Core.Broadcasts;

/// <summary>A one-off or scheduled send of a template to a segment's members (docs/broadcasts.md).</summary>
/// <param name="SendAt">When the walk starts: the send time, or the earliest moment a per-member time can come.</param>
/// <param name="LocalTime">A wall-clock time such as 2026-12-24T10:00 at which each member gets it in their own time zone; null to send at <paramref name="SendAt"/>.</param>
/// <param name="Presale">A pre-sale of rules/presales.json: each member gets it when their tier's access opens, earliest tiers first.</param>
/// <param name="HoldoutPercent">The share of members, 0–50, recorded as held out and never sent, to measure the lift.</param>
/// <param name="Variants">A/B arms, each with its own template; empty for the broadcast's one template.</param>
/// <param name="Walked">Members reached by the walk so far; <paramref name="Enqueued"/> of them got a message (or a holdout row).</param>
/// <param name="LastCustomerId">The last member walked: a walk resumes after it.</param>
public sealed record Broadcast(
    long Id,
    string Name,
    string Segment,
    string Channel,
    string Template,
    DateTimeOffset SendAt,
    string? LocalTime,
    string? Presale,
    int HoldoutPercent,
    IReadOnlyList<BroadcastVariant> Variants,
    string Status,
    long Audience,
    long Walked,
    long Enqueued,
    long LastCustomerId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>The journey name its instances and outbox rows carry, which keeps its results apart from journeys'.</summary>
    public string Journey => JourneyOf(Id);

    /// <summary>The journey name of broadcast <paramref name="id"/>.</summary>
    public static string JourneyOf(long id) => $"broadcast:{id}";
}

/// <summary>One A/B arm of a broadcast: its template and its weight among the arms.</summary>
public sealed record BroadcastVariant(string Name, string Template, double Weight);

/// <summary>
/// A broadcast to create; <see cref="Audience"/> is the segment's size when it was created, <see cref="IdempotencyKey"/>
/// the caller's key that makes a retried creation find the first.
/// </summary>
public sealed record NewBroadcast(string? IdempotencyKey, string Name, string Segment, string Channel, string Template, DateTimeOffset SendAt, string? LocalTime, string? Presale,
    int HoldoutPercent,
    IReadOnlyList<BroadcastVariant> Variants, long Audience, DateTimeOffset CreatedAt);

/// <summary>The states of a broadcast, as stored and shown.</summary>
public static class BroadcastStatus
{
    /// <summary>Waiting for its send time; the only state it can be cancelled in.</summary>
    public const string Scheduled = "scheduled";

    /// <summary>Claimed by a node: its members are being walked and enqueued.</summary>
    public const string Sending = "sending";

    /// <summary>Every member walked.</summary>
    public const string Done = "done";

    /// <summary>Cancelled before it started.</summary>
    public const string Cancelled = "cancelled";
}
