using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;

namespace Automation.Core.Storage;

/// <summary>
/// The writes of journey work, inside one database transaction: entering, stepping and ending instances, and what
/// steps produce. Unique keys make each entry and each step happen at most once, whatever runs concurrently.
/// </summary>
public interface IJourneyTransaction : IAsyncDisposable
{
    /// <summary>Customers' profiles with the parts asked for (stats, carts, tags, points…), for building facts.</summary>
    Task<IReadOnlyList<CustomerSnapshot>> LoadSnapshotsAsync(IReadOnlyCollection<long> customerIds, SnapshotParts parts, CancellationToken cancellationToken);

    Task<IReadOnlyList<JourneyInstance>> LoadActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>When each of these customers last entered each journey (or only <paramref name="journey"/>), whatever became of that instance.</summary>
    Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LoadLastEntriesAsync(IReadOnlyCollection<long> customerIds, string? journey, CancellationToken cancellationToken);

    /// <summary>
    /// Starts the instances of these entries, each unless that entry was already made or an instance of the journey is
    /// active for the customer; returns the instances started. Written a few rows per statement.
    /// </summary>
    Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Records that steps fired and moves their instances' last step time; returns those recorded now. A step that had
    /// already fired is left out, and its action must not run.
    /// </summary>
    Task<IReadOnlyList<FiredStep>> RecordStepsAsync(IReadOnlyList<FiredStep> steps, CancellationToken cancellationToken);

    /// <summary>Ends instances that are still active; one that ended already keeps its first end.</summary>
    Task EndAsync(IReadOnlyList<InstanceEnd> ends, CancellationToken cancellationToken);

    /// <summary>Queues messages; a repeated idempotency key adds nothing.</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddTagAsync(long customerId, string tag, string source, DateTimeOffset at, CancellationToken cancellationToken);

    Task RemoveTagAsync(long customerId, string tag, CancellationToken cancellationToken);

    /// <summary>Appends to the points ledger; a repeated source key adds nothing (returns false).</summary>
    Task<bool> AddPointsAsync(long customerId, int points, string kind, string reason, string sourceKey, DateTimeOffset at, DateTimeOffset? expiresAt, CancellationToken cancellationToken);

    /// <summary>The ledger entry with this source key, if any.</summary>
    Task<Points.PointsEntry?> FindPointsAsync(string sourceKey, CancellationToken cancellationToken);

    /// <summary>A customer's whole ledger, oldest first.</summary>
    Task<IReadOnlyList<Points.PointsEntry>> LoadPointsAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>
    /// Holds other writers to these customers (balance, tier) off until the transaction ends; taken in id order, so
    /// transactions that touch several of the same customers queue instead of deadlocking.
    /// </summary>
    Task LockCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Net spend and count of the orders of these customers completed in [<paramref name="from"/>, <paramref name="until"/>]; customers without any are left out.</summary>
    Task<IReadOnlyDictionary<long, Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The order's total, or null when it is not known (yet).</summary>
    Task<decimal?> OrderTotalAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>The tiers these customers hold; customers without a row are left out.</summary>
    Task<IReadOnlyDictionary<long, Tiers.TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Writes the customer's tier and review grant.</summary>
    Task SaveTierAsync(long customerId, Tiers.TierStanding standing, CancellationToken cancellationToken);

    /// <summary>Appends to the customer's tier history.</summary>
    Task RecordTierChangeAsync(long customerId, Tiers.TierChange change, CancellationToken cancellationToken);

    Task IssueCouponAsync(long customerId, string coupon, string source, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>When a schedule or scan was last checked for a time zone, or null.</summary>
    Task<DateTimeOffset?> LastCheckedAsync(string journey, string timezone, CancellationToken cancellationToken);

    Task SetLastCheckedAsync(string journey, string timezone, DateTimeOffset at, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>Journey work outside ingestion: the scheduler's pages and the API's views.</summary>
public interface IJourneyStore
{
    Task<IJourneyTransaction> BeginJourneyWorkAsync(CancellationToken cancellationToken);

    /// <summary>Customers with an active instance, after <paramref name="afterCustomerId"/>, in id order.</summary>
    Task<IReadOnlyList<long>> CustomersWithActiveInstancesAsync(long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Customers' profiles with the parts asked for, read outside any transaction: the scheduler screens pages of
    /// customers with them and confirms the few it enters inside its transaction.
    /// </summary>
    Task<IReadOnlyList<CustomerSnapshot>> SnapshotsAsync(IReadOnlyCollection<long> customerIds, SnapshotParts parts, CancellationToken cancellationToken);

    /// <summary>The active instances of these customers with their steps, read outside any transaction (for screening).</summary>
    Task<IReadOnlyList<JourneyInstance>> ActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>When each of these customers last entered the journey, read outside any transaction.</summary>
    Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LastEntriesAsync(IReadOnlyCollection<long> customerIds, string journey, CancellationToken cancellationToken);

    /// <summary>Customers in a time zone (null or "UTC": those without one), after an id, in id order.</summary>
    Task<IReadOnlyList<long>> CustomersInTimezoneAsync(string timezone, long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>Customers holding points whose expiry date has passed, after an id, in id order.</summary>
    Task<IReadOnlyList<long>> CustomersWithExpiredPointsAsync(DateTimeOffset now, long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>The time zones customers have; "UTC" stands for those without one.</summary>
    Task<IReadOnlyList<string>> TimezonesAsync(CancellationToken cancellationToken);

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

/// <summary>A journey's step counts; see <see cref="IJourneyStore.FunnelAsync"/>.</summary>
public sealed record JourneyFunnel(IReadOnlyDictionary<string, long> InstancesPerStep, IReadOnlyList<StepMessageCount> Messages);

/// <summary>Messages of one step, variant and status.</summary>
public sealed record StepMessageCount(string Step, string? Variant, MessageStatus Status, long Count);

public sealed record JourneyCounts(int Active, int Completed, int Exited);

public sealed record JourneyStepView(string Step, string Action, DateTimeOffset FiredAt);

public sealed record JourneyInstanceView(long Id, string Journey, string Status, string? EndReason, DateTimeOffset EnteredAt, DateTimeOffset? EndedAt, IReadOnlyList<JourneyStepView> Steps);

public sealed record OutboxView(long Id, string Journey, string Step, string Channel, string Template, MessageStatus Status, DateTimeOffset CreatedAt, DateTimeOffset DueAt,
    string? Variant, string? LastError, DateTimeOffset? SentAt);
