using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Messaging;

namespace Automation.Core.Storage;

// The concerns of a journey transaction, one port each (IJourneyTransaction is all of them). Each write happens inside
// the caller's transaction; unique keys make a repeated write add nothing.

/// <summary>Customers' profiles with the parts asked for (stats, carts, tags, points…), for building facts.</summary>
public interface ICustomerSnapshots
{
    /// <summary>
    /// Snapshots of these customers, each with the parts asked for it, in id order, in one round trip (the profile's
    /// traits, one of its columns, may come for all when one asks for them).
    /// </summary>
    Task<IReadOnlyList<CustomerSnapshot>> LoadSnapshotsAsync(IReadOnlyDictionary<long, SnapshotParts> reads, CancellationToken cancellationToken);

    /// <summary>Snapshots of these customers, all with the same parts, in id order.</summary>
    Task<IReadOnlyList<CustomerSnapshot>> LoadSnapshotsAsync(IReadOnlyCollection<long> customerIds, SnapshotParts parts, CancellationToken cancellationToken) =>
        LoadSnapshotsAsync(customerIds.Distinct().ToDictionary(id => id, _ => parts), cancellationToken);
}

/// <summary>Journey instances: entries, fired steps, ends, and when schedules were last checked.</summary>
public interface IJourneyInstanceWrites
{
    Task<IReadOnlyList<JourneyInstance>> LoadActiveInstancesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>When each of these customers last entered each journey (or only <paramref name="journey"/>), whatever became of that instance.</summary>
    Task<IReadOnlyDictionary<(long CustomerId, string Journey), DateTimeOffset>> LoadLastEntriesAsync(IReadOnlyCollection<long> customerIds, string? journey, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="LoadActiveInstancesAsync"/> and <see cref="LoadLastEntriesAsync"/> of every journey together: what an
    /// ingest group asks first about its customers, in one round trip.
    /// </summary>
    Task<CustomerJourneys> LoadJourneysAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Starts the instances of these entries, each unless that entry was already made or an instance of the journey is
    /// active for the customer; returns the instances started. Written in one statement.
    /// </summary>
    Task<IReadOnlyList<JourneyInstance>> EnterAsync(IReadOnlyList<JourneyEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Records that steps fired and moves their instances' last step time; returns those recorded now. A step that had
    /// already fired is left out, and its action must not run.
    /// </summary>
    Task<IReadOnlyList<FiredStep>> RecordStepsAsync(IReadOnlyList<FiredStep> steps, CancellationToken cancellationToken);

    /// <summary>Records why a step that fired did not do what it says (no coupon could be issued…).</summary>
    Task SetStepOutcomeAsync(long instanceId, string stepName, string outcome, CancellationToken cancellationToken);

    /// <summary>Ends instances that are still active; one that ended already keeps its first end.</summary>
    Task EndAsync(IReadOnlyList<InstanceEnd> ends, CancellationToken cancellationToken);

    /// <summary>When a schedule or scan was last checked for a time zone, or null.</summary>
    Task<DateTimeOffset?> LastCheckedAsync(string journey, string timezone, CancellationToken cancellationToken);

    Task SetLastCheckedAsync(string journey, string timezone, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Messages a step queues.</summary>
public interface IOutboxWrites
{
    /// <summary>Queues messages; a repeated idempotency key adds nothing.</summary>
    Task EnqueueAsync(IReadOnlyList<OutboxMessage> messages, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Customers' tags.</summary>
public interface ITagWrites
{
    /// <summary>Adds the tags, each a (customer, tag) pair, from one source; a tag a customer already holds stays as it was.</summary>
    Task AddTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, string source, DateTimeOffset at, CancellationToken cancellationToken);

    Task RemoveTagsAsync(IReadOnlyList<(long CustomerId, string Tag)> tags, CancellationToken cancellationToken);
}

/// <summary>The points ledger, and the order totals earning and reversals are figured from.</summary>
public interface IPointsLedger
{
    /// <summary>Appends entries together; an entry whose source key is already in the ledger (or earlier in the list) adds nothing.</summary>
    /// <returns>The source keys of the entries appended.</returns>
    Task<IReadOnlySet<string>> AddPointsAsync(IReadOnlyList<Points.PointsGrant> grants, CancellationToken cancellationToken);

    /// <summary>The ledger entry with this source key, if any.</summary>
    Task<Points.PointsEntry?> FindPointsAsync(string sourceKey, CancellationToken cancellationToken);

    /// <summary>A customer's whole ledger, oldest first.</summary>
    Task<IReadOnlyList<Points.PointsEntry>> LoadPointsAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>The order's total, or null when it is not known (yet).</summary>
    Task<decimal?> OrderTotalAsync(string orderId, CancellationToken cancellationToken);
}

/// <summary>Row locks that make a read-then-write on a customer (balance, tier) safe.</summary>
public interface ICustomerLocks
{
    /// <summary>
    /// Holds other writers to these customers (balance, tier) off until the transaction ends; taken in id order, so
    /// transactions that touch several of the same customers queue instead of deadlocking.
    /// </summary>
    Task LockCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);
}

/// <summary>Membership tiers, their history, and the spend they are figured from.</summary>
public interface ITierWrites
{
    /// <summary>Net spend and count of the orders of these customers completed in [<paramref name="from"/>, <paramref name="until"/>]; customers without any are left out.</summary>
    Task<IReadOnlyDictionary<long, Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>The tiers these customers hold; customers without a row are left out.</summary>
    Task<IReadOnlyDictionary<long, Tiers.TierStanding>> LoadTiersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Writes these customers' tiers and review grants.</summary>
    Task SaveTiersAsync(IReadOnlyDictionary<long, Tiers.TierStanding> standings, CancellationToken cancellationToken);

    /// <summary>Appends to the customers' tier histories, in the order given.</summary>
    Task RecordTierChangesAsync(IReadOnlyList<(long CustomerId, Tiers.TierChange Change)> changes, CancellationToken cancellationToken);
}

/// <summary>Codes of coupon campaigns issued to customers.</summary>
public interface ICouponWrites
{
    /// <summary>
    /// Gives each request's customer a code of its campaign, or says why not, in request order. The campaign's budget, the customer's limit and the
    /// code itself are each claimed in the statement that takes them, so concurrent issues on any number of nodes never
    /// exceed a limit or hand out a code twice; a repeated issue key returns the code issued first.
    /// </summary>
    /// <returns>One outcome per request, in their order.</returns>
    Task<IReadOnlyList<Coupons.CouponIssue>> IssueCouponsAsync(IReadOnlyList<Coupons.CouponIssueRequest> requests, CancellationToken cancellationToken);
}

/// <summary>One ledger entry at a time, for callers that append one.</summary>
public static class PointsLedgerExtensions
{
    /// <summary>Appends to the points ledger; a repeated source key adds nothing (returns false).</summary>
    public static async Task<bool> AddPointsAsync(this IPointsLedger ledger, long customerId, int points, string kind, string reason, string sourceKey, DateTimeOffset at,
        DateTimeOffset? expiresAt, CancellationToken cancellationToken) =>
        (await ledger.AddPointsAsync([new Points.PointsGrant(customerId, points, kind, reason, sourceKey, at, expiresAt)], cancellationToken)).Count > 0;
}

/// <summary>One coupon at a time, for callers that issue one.</summary>
public static class CouponWritesExtensions
{
    /// <inheritdoc cref="ICouponWrites.IssueCouponsAsync"/>
    public static async Task<Coupons.CouponIssue> IssueCouponAsync(this ICouponWrites writes, Coupons.CouponIssueRequest request, CancellationToken cancellationToken) =>
        (await writes.IssueCouponsAsync([request], cancellationToken))[0];
}
