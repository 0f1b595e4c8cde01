using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;

namespace Automation.Core.Storage;

/// <summary>Starts the database transaction in which one request or batch is ingested.</summary>
public interface IIngestionStore
{
    Task<IIngestTransaction> BeginAsync(CancellationToken cancellationToken);

    /// <summary>How many ingest transactions are worth running side by side: one where the database has a single writer.</summary>
    int ConcurrentTransactions { get; }
}

/// <summary>
/// The writes of one ingest, all in one database transaction, journeys entered by its events included: set-based,
/// so a batch of a thousand messages costs a handful of statements. Disposing without committing rolls everything back.
/// </summary>
public interface IIngestTransaction : IJourneyTransaction, IProductWrites
{
    /// <summary>Customers whose external id or anonymous id is among those given.</summary>
    Task<IReadOnlyList<CustomerKey>> FindCustomersAsync(IReadOnlyCollection<string> externalIds, IReadOnlyCollection<string> anonymousIds, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts new customers and returns the rows inserted. A customer created meanwhile by another
    /// transaction is skipped (not returned): find it with <see cref="FindCustomersAsync"/>.
    /// </summary>
    Task<IReadOnlyList<CustomerKey>> CreateCustomersAsync(IReadOnlyList<NewCustomer> customers, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives an anonymous customer the external id they signed in with.</summary>
    Task LinkExternalIdAsync(long customerId, string externalId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<CustomerProfile>> LoadProfilesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    Task SaveProfilesAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken cancellationToken);

    /// <summary>Records orders, a chunk of rows per statement; an order id given twice keeps its last values, as recording them one by one would.</summary>
    Task RecordOrdersAsync(IReadOnlyList<RecordedOrder> orders, CancellationToken cancellationToken);

    /// <summary>The rows of these orders as they stand; ids without a row are left out.</summary>
    Task<IReadOnlyList<OrderState>> LoadOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken);

    /// <summary>
    /// The totals of each span (in the order given) over the orders that count, leaving out the orders named in
    /// <paramref name="leavingOut"/>: the caller follows those itself.
    /// </summary>
    Task<IReadOnlyList<Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyList<TotalsSpan> spans, IReadOnlyCollection<string> leavingOut, CancellationToken cancellationToken);

    /// <summary>
    /// Redeems the code an order named, once: the same order again changes nothing and gets the same outcome; a code
    /// that is unknown, expired or redeemed by another order is recorded as such.
    /// </summary>
    Task<Coupons.CouponRedemptionOutcome> RedeemCouponAsync(Coupons.CouponRedemption redemption, CancellationToken cancellationToken);

    Task RecordRefundAsync(long customerId, OrderRefunded refund, CancellationToken cancellationToken);

    /// <summary>Records deliveries, a chunk of rows per statement; an order delivered twice keeps the last time.</summary>
    Task RecordDeliveriesAsync(IReadOnlyList<RecordedDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Recomputes <see cref="CustomerStats"/> of these customers from their orders.</summary>
    Task RefreshStatsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Cart events of these customers newer than their last completed order, oldest first.</summary>
    Task<IReadOnlyList<StoredEvent>> LoadOpenCartEventsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>Replaces the carts of these customers; a null cart is deleted.</summary>
    Task SaveCartsAsync(IReadOnlyDictionary<long, Cart?> carts, CancellationToken cancellationToken);
}

/// <summary>A customer's keys.</summary>
public sealed record CustomerKey(long Id, string? ExternalId, string? AnonymousId);

/// <summary>A customer to create; at least one id is set.</summary>
public sealed record NewCustomer(string? ExternalId, string? AnonymousId);

/// <summary>An event row to insert.</summary>
public sealed record EventRecord(
    string MessageId,
    long CustomerId,
    MessageType Type,
    string? Name,
    JsonObject Properties,
    JsonObject? Context,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt);

/// <summary>An event read back from storage.</summary>
public sealed record StoredEvent(long CustomerId, string Name, JsonObject Properties, DateTimeOffset OccurredAt);
