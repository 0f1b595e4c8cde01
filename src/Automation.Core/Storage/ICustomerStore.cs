using Automation.Core.Customers;

namespace Automation.Core.Storage;

/// <summary>Reads customers.</summary>
public interface ICustomerStore
{
    /// <summary>The customer with this external id, else with this anonymous id; null when neither exists.</summary>
    Task<CustomerSnapshot?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>The customer's changes of tier, oldest first.</summary>
    Task<IReadOnlyList<Tiers.TierChange>> TierHistoryAsync(long customerId, CancellationToken cancellationToken);

    /// <summary>Net spend and order count of the customer's orders completed in [<paramref name="from"/>, <paramref name="until"/>].</summary>
    Task<Tiers.OrderTotals> OrderTotalsAsync(long customerId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Customers whose external id, anonymous id, email or phone is exactly <paramref name="term"/>, at most
    /// <paramref name="limit"/>, by id. Exact matches only: each is one index look-up, whatever the number of customers.
    /// </summary>
    Task<IReadOnlyList<CustomerMatch>> SearchAsync(string term, int limit, CancellationToken cancellationToken);

    /// <summary>The customer's latest <paramref name="limit"/> events, newest first.</summary>
    Task<IReadOnlyList<EventView>> EventsOfAsync(long customerId, int limit, CancellationToken cancellationToken);

    /// <summary>The suppressions of the customer's email address and phone number.</summary>
    Task<IReadOnlyList<SuppressionView>> SuppressionsOfAsync(long customerId, CancellationToken cancellationToken);
}

/// <summary>A customer found by a search: enough to tell the matches apart.</summary>
public sealed record CustomerMatch(long Id, string? ExternalId, string? AnonymousId, string? Email, string? Phone, string? Name);

/// <summary>One stored event of a customer: its type (track, identify), name, properties as JSON text and times.</summary>
public sealed record EventView(long Id, string Type, string? Name, string Properties, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt);

/// <summary>A suppressed address: channel, address, why and since when.</summary>
public sealed record SuppressionView(string Channel, string Address, string Reason, DateTimeOffset CreatedAt);
