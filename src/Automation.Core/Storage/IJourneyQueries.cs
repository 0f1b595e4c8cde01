using Automation.Core.Messaging;

namespace Automation.Core.Storage;

/// <summary>What the API and the console show of journeys: read models, never used by the engines.</summary>
public interface IJourneyQueries
{
    /// <summary>Instances per journey and status.</summary>
    Task<IReadOnlyDictionary<string, JourneyCounts>> CountsAsync(CancellationToken cancellationToken);

    /// <summary>A customer's instances with their steps, newest first.</summary>
    Task<IReadOnlyList<JourneyInstanceView>> InstancesOfAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>A customer's outbox messages, newest first.</summary>
    Task<IReadOnlyList<OutboxView>> MessagesOfAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>
    /// How far a journey's instances got: instances that fired each step, and its messages per step, variant
    /// (null: no A/B test) and status, holdouts included.
    /// </summary>
    Task<JourneyFunnel> FunnelAsync(string journey, CancellationToken cancellationToken);
}

/// <summary>A journey's step counts; see <see cref="IJourneyQueries.FunnelAsync"/>.</summary>
public sealed record JourneyFunnel(IReadOnlyDictionary<string, long> InstancesPerStep, IReadOnlyList<StepMessageCount> Messages);

/// <summary>Messages of one step, variant and status.</summary>
public sealed record StepMessageCount(string Step, string? Variant, MessageStatus Status, long Count);

public sealed record JourneyCounts(int Active, int Completed, int Exited);

public sealed record JourneyStepView(string Step, string Action, DateTimeOffset FiredAt, string? Outcome = null);

public sealed record JourneyInstanceView(long Id, string Journey, string Status, string? EndReason, DateTimeOffset EnteredAt, DateTimeOffset? EndedAt, IReadOnlyList<JourneyStepView> Steps);

public sealed record OutboxView(long Id, string Journey, string Step, string Channel, string Template, MessageStatus Status, DateTimeOffset CreatedAt, DateTimeOffset DueAt,
    string? Variant, string? LastError, DateTimeOffset? SentAt);
