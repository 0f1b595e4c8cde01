using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;

namespace Automation.Core.Storage;

/// <summary>
/// The writes of journey work, inside one database transaction: every port of JourneyTransactionPorts.cs, so engines that touch several
/// concerns take one object. Unique keys make each entry and each step happen at most once, whatever runs
/// concurrently. A component that needs one concern takes that port alone.
/// </summary>
public interface IJourneyTransaction : ICustomerSnapshots, IJourneyInstanceWrites, IOutboxWrites, ITagWrites, IPointsLedger, ICustomerLocks,
    ITierWrites, ICouponWrites, IDrawWrites, IRewardWrites, ITeamWrites, IReferralWrites, IEventWrites, IPresaleWrites, IAuditWrites, IAsyncDisposable
{
    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="committed"/> once this transaction has committed, never when it rolls back: metrics count what happened.</summary>
    void OnCommitted(Action committed);
}

/// <summary>Journey work outside ingestion: its transactions and the scheduler's pages; the views are <see cref="IJourneyQueries"/>.</summary>
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

    /// <summary>Customers in a time zone (null or "UTC": those without one), after an id, in id order.</summary>
    Task<IReadOnlyList<long>> CustomersInTimezoneAsync(string timezone, long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// For each selection in order, the customers with ids from <paramref name="firstId"/> to <paramref name="lastId"/>
    /// it selects, read outside any transaction. A store may return more than a selection asks for (the
    /// scheduler evaluates the audience for each customer returned) but never fewer.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<long>>> AudienceCandidatesAsync(IReadOnlyList<AudienceSelection> selections, long firstId, long lastId, CancellationToken cancellationToken);

    /// <summary>
    /// The customers with ids from <paramref name="firstId"/> to <paramref name="lastId"/> holding an active instance of
    /// one of these journeys that a selection says may have something to do now, read outside any transaction. As with
    /// audiences, a store may return more (the scheduler evaluates every active instance of each customer returned) but
    /// never fewer; instances of journeys not listed are left out.
    /// </summary>
    Task<IReadOnlyList<long>> WorkCandidatesAsync(IReadOnlyList<WorkSelection> journeys, long firstId, long lastId, CancellationToken cancellationToken);

    /// <summary>Customers holding points whose expiry date has passed, after an id, in id order.</summary>
    Task<IReadOnlyList<long>> CustomersWithExpiredPointsAsync(DateTimeOffset now, long afterCustomerId, int limit, CancellationToken cancellationToken);

    /// <summary>The time zones customers have; "UTC" stands for those without one.</summary>
    Task<IReadOnlyList<string>> TimezonesAsync(CancellationToken cancellationToken);
}
