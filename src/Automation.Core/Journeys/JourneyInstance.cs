using System.Text.Json.Nodes;

namespace Automation.Core.Journeys;

/// <summary>One customer's pass through a journey.</summary>
/// <param name="JourneyHash">The version of the journey file it entered with (<see cref="JourneyDefinition.Hash"/>), which it runs until it ends; null for one entered before versions, which follows the file as it is.</param>
public sealed record JourneyInstance(
    long Id,
    long CustomerId,
    string Journey,
    DateTimeOffset EnteredAt,
    DateTimeOffset? LastStepAt,
    IReadOnlyList<string> StepsDone,
    JsonObject? TriggerEvent,
    string? JourneyHash = null);

/// <summary>How an instance ended.</summary>
public enum JourneyEnd
{
    /// <summary>All steps done, or it reached its maximum age.</summary>
    Completed,

    /// <summary>An exit event or condition, or an <c>Exit</c> action.</summary>
    Exited,
}

/// <summary>A message a <c>Send</c> step asks for, written to the outbox in the step's transaction.</summary>
public sealed record OutboxMessage(
    string IdempotencyKey,
    long CustomerId,
    string Journey,
    long InstanceId,
    string Step,
    string Channel,
    string Template,
    JsonObject Context,
    DateTimeOffset DueAt,
    string? Variant = null)
{
    /// <summary>The W3C traceparent of the step that queued it, which the send continues; null without a recorded trace.</summary>
    public string? TraceParent { get; init; }
}
