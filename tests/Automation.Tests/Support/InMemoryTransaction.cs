using System.Collections.Immutable;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Tests.Support;

/// <summary>
/// One write transaction on <see cref="InMemoryStorage"/>: it works on its own <see cref="InMemoryTables"/> value,
/// publishes it on commit and drops it on disposal otherwise. Each write copies the ON CONFLICT rule of its SQL in
/// Automation.Storage (WriteTransaction*.cs). The customer and ingest writes are here; journey, outbox, tag, points,
/// tier and coupon writes in InMemoryTransaction.Journeys.cs.
/// </summary>
internal sealed partial class InMemoryTransaction(InMemoryStorage store, InMemoryTables committed, Action release) : IIngestTransaction
{
    private InMemoryTables _tables = committed;
    private Action? _release = release;

    public Task<IReadOnlyList<CustomerKey>> FindCustomersAsync(IReadOnlyCollection<string> externalIds, IReadOnlyCollection<string> anonymousIds, CancellationToken cancellationToken)
    {
        var external = externalIds.ToHashSet(StringComparer.Ordinal);
        var anonymous = anonymousIds.ToHashSet(StringComparer.Ordinal);
        return Done<IReadOnlyList<CustomerKey>>([.. _tables.Customers
            .Where(c => (c.ExternalId is { } e && external.Contains(e)) || (c.AnonymousId is { } a && anonymous.Contains(a)))
            .Select(Key)]);
    }

    public Task<IReadOnlyList<CustomerKey>> CreateCustomersAsync(IReadOnlyList<NewCustomer> customers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = new List<CustomerKey>();
        var rows = _tables.Customers.ToBuilder();
        foreach (var customer in customers)
        {
            // Both ids are unique: a customer that takes either one already is skipped.
            if (rows.Any(c => (customer.ExternalId is not null && c.ExternalId == customer.ExternalId) || (customer.AnonymousId is not null && c.AnonymousId == customer.AnonymousId)))
                continue;
            var row = new CustomerProfile { Id = rows.Count + 1, ExternalId = customer.ExternalId, AnonymousId = customer.AnonymousId, CreatedAt = now, UpdatedAt = now };
            rows.Add(row);
            created.Add(Key(row));
        }
        _tables = _tables with { Customers = rows.ToImmutable() };
        return Done<IReadOnlyList<CustomerKey>>(created);
    }

    public Task LinkExternalIdAsync(long customerId, string externalId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_tables.Customer(customerId) is not { ExternalId: null } customer) return Task.CompletedTask;
        if (_tables.Customers.Any(c => c.ExternalId == externalId))
            throw new InvalidOperationException($"Unique constraint failed: customers.external_id '{externalId}'.");
        return Update(customer with { ExternalId = externalId, UpdatedAt = now });
    }

    public Task<IReadOnlySet<string>> InsertEventsAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var stored = _tables.Events.Select(e => e.Record.MessageId).ToHashSet(StringComparer.Ordinal);
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        var rows = _tables.Events.ToBuilder();
        foreach (var e in events.Where(e => stored.Add(e.MessageId)))
        {
            rows.Add(new EventRow(rows.Count + 1, e with { Properties = JsonCopy.Of(e.Properties), Context = JsonCopy.OrNull(e.Context) }));
            inserted.Add(e.MessageId);
        }
        _tables = _tables with { Events = rows.ToImmutable() };
        return Done<IReadOnlySet<string>>(inserted);
    }

    public Task<IReadOnlyList<CustomerProfile>> LoadProfilesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        Done<IReadOnlyList<CustomerProfile>>([.. _tables.Snapshots(customerIds, SnapshotParts.Traits).Select(s => s.Profile)]);

    public async Task SaveProfilesAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken cancellationToken)
    {
        // The ids and the creation time are not among the columns the SQL updates.
        foreach (var p in profiles)
        {
            if (_tables.Customer(p.Id) is not { } stored) continue;
            await Update(stored with
            {
                Email = p.Email, Phone = p.Phone, Name = p.Name, Birthday = p.Birthday, Timezone = p.Timezone, Locale = p.Locale,
                Traits = JsonCopy.Of(p.Traits), TraitsUpdatedAt = p.TraitsUpdatedAt, UpdatedAt = p.UpdatedAt,
            });
        }
    }

    public Task RecordOrdersAsync(IReadOnlyList<RecordedOrder> orders, CancellationToken cancellationToken)
    {
        // A refund or delivery that came first keeps what it wrote; the order's own columns are replaced.
        foreach (var o in orders)
        {
            var row = _tables.Orders.GetValueOrDefault(o.Order.OrderId) ?? new OrderRow(o.Order.OrderId, o.CustomerId);
            SaveOrder(row with { CustomerId = o.CustomerId, Total = o.Order.Total, Coupon = o.Order.Coupon, CompletedAt = o.CompletedAt });
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OrderState>> LoadOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OrderState>>([.. orderIds.Distinct().Where(_tables.Orders.ContainsKey).Select(id => _tables.Orders[id])
            .Select(o => new OrderState(o.OrderId, o.CustomerId, o.Total, o.RefundedAmount, o.FullyRefunded, o.CompletedAt))]);

    public Task<IReadOnlyList<Automation.Core.Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyList<TotalsSpan> spans, IReadOnlyCollection<string> leavingOut, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Automation.Core.Tiers.OrderTotals>>([.. spans.Select(span =>
        {
            var orders = _tables.CountedOrders(span.CustomerId).Where(o => o.CompletedAt >= span.From && o.CompletedAt <= span.Until && !leavingOut.Contains(o.OrderId)).ToList();
            return new Automation.Core.Tiers.OrderTotals(orders.Sum(o => o.Total - o.RefundedAmount), orders.Count);
        })]);

    public Task RecordRefundAsync(long customerId, OrderRefunded refund, CancellationToken cancellationToken)
    {
        var row = _tables.Orders.GetValueOrDefault(refund.OrderId) ?? new OrderRow(refund.OrderId, customerId);
        return SaveOrder(row with { RefundedAmount = row.RefundedAmount + (refund.Amount ?? 0m), FullyRefunded = row.FullyRefunded || refund.Amount is null });
    }

    public Task RecordDeliveriesAsync(IReadOnlyList<RecordedDelivery> deliveries, CancellationToken cancellationToken)
    {
        foreach (var d in deliveries)
            SaveOrder((_tables.Orders.GetValueOrDefault(d.Delivery.OrderId) ?? new OrderRow(d.Delivery.OrderId, d.CustomerId)) with { DeliveredAt = d.DeliveredAt });
        return Task.CompletedTask;
    }

    public Task RefreshStatsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        var stats = _tables.Stats;
        foreach (var id in customerIds)
        {
            var orders = _tables.CountedOrders(id).ToList();
            stats = stats.SetItem(id, orders.Count == 0 ? CustomerStats.None : CustomerStats.FromAggregates(
                orders.Count, orders.Sum(o => o.Total - o.RefundedAmount), orders.Min(o => o.CompletedAt), orders.Max(o => o.CompletedAt), orders.Count(o => o.Coupon is not null)));
        }
        _tables = _tables with { Stats = stats };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StoredEvent>> LoadOpenCartEventsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        var wanted = customerIds.ToHashSet();
        var cartEvents = CommerceEvents.CartEventNames.ToHashSet(StringComparer.Ordinal);
        // An event is open while no order of its customer was completed at or after it.
        return Done<IReadOnlyList<StoredEvent>>([.. _tables.Events
            .Select(e => (e.Id, e.Record))
            .Where(e => wanted.Contains(e.Record.CustomerId) && e.Record.Type == MessageType.Track && e.Record.Name is { } name && cartEvents.Contains(name)
                && !_tables.Orders.Values.Any(o => o.CustomerId == e.Record.CustomerId && o.CompletedAt >= e.Record.OccurredAt))
            .OrderBy(e => e.Record.CustomerId).ThenBy(e => e.Record.OccurredAt).ThenBy(e => e.Id)
            .Select(e => new StoredEvent(e.Record.CustomerId, e.Record.Name!, JsonCopy.Of(e.Record.Properties), e.Record.OccurredAt))]);
    }

    public Task SaveCartsAsync(IReadOnlyDictionary<long, Cart?> carts, CancellationToken cancellationToken)
    {
        var rows = _tables.Carts;
        foreach (var (customerId, cart) in carts) rows = cart is null ? rows.Remove(customerId) : rows.SetItem(customerId, cart);
        _tables = _tables with { Carts = rows };
        return Task.CompletedTask;
    }

    /// <summary>
    /// Scores every customer who ordered 1–5 on recency, frequency and 365-day spend as NTILE(5) does over the same
    /// orderings in AutomationStorage.Rfm.cs; drops the scores of those who no longer have an order. Returns how many were scored.
    /// </summary>
    internal int ComputeRfm(DateTimeOffset now)
    {
        var since = now.AddDays(-365);
        var buyers = _tables.Stats.Where(s => s.Value.OrderCount > 0).Select(s => (CustomerId: s.Key, Stats: s.Value,
            Spend365: _tables.Orders.Values.Where(o => o.CustomerId == s.Key && o.CompletedAt >= since && !o.FullyRefunded).Sum(o => o.Total - o.RefundedAmount))).ToList();
        var recency = Quintiles(buyers.OrderBy(b => b.Stats.LastOrderAt).ThenBy(b => b.CustomerId).Select(b => b.CustomerId));
        var frequency = Quintiles(buyers.OrderBy(b => b.Stats.OrderCount).ThenBy(b => b.CustomerId).Select(b => b.CustomerId));
        var monetary = Quintiles(buyers.OrderBy(b => b.Spend365).ThenBy(b => b.CustomerId).Select(b => b.CustomerId));
        _tables = _tables with
        {
            Rfm = buyers.ToImmutableDictionary(b => b.CustomerId, b => new RfmScore(recency[b.CustomerId], frequency[b.CustomerId], monetary[b.CustomerId], b.Spend365)),
        };
        return buyers.Count;
    }

    /// <summary>NTILE(5): five buckets in order, the first <c>count % 5</c> of them one row larger.</summary>
    private static Dictionary<long, int> Quintiles(IEnumerable<long> orderedIds)
    {
        var ids = orderedIds.ToList();
        var (size, larger) = (ids.Count / 5, ids.Count % 5);
        var buckets = new Dictionary<long, int>();
        var position = 0;
        for (var bucket = 1; bucket <= 5; bucket++)
            for (var i = 0; i < size + (bucket <= larger ? 1 : 0); i++) buckets[ids[position++]] = bucket;
        return buckets;
    }

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_release is null) throw new InvalidOperationException("The transaction has ended.");
        store.Publish(_tables);
        foreach (var committed in _onCommitted) committed();
        return Task.CompletedTask;
    }

    private readonly List<Action> _onCommitted = [];

    public void OnCommitted(Action committed) => _onCommitted.Add(committed);

    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _release, null)?.Invoke();
        return ValueTask.CompletedTask;
    }

    private Task Update(CustomerProfile customer)
    {
        _tables = _tables with { Customers = _tables.Customers.SetItem((int)customer.Id - 1, customer) };
        return Task.CompletedTask;
    }

    private Task SaveOrder(OrderRow order)
    {
        _tables = _tables with { Orders = _tables.Orders.SetItem(order.OrderId, order) };
        return Task.CompletedTask;
    }

    private static CustomerKey Key(CustomerProfile c) => new(c.Id, c.ExternalId, c.AnonymousId);

    private static Task<T> Done<T>(T value) => Task.FromResult(value);
}
