using System.Data.Common;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Dapper;

namespace Automation.Storage;

/// <summary>The SQL of one write transaction (an ingest or a pass of journey work), shared by the databases but for what <see cref="SqlDialect"/> supplies.</summary>
internal sealed partial class WriteTransaction(WriterConnection writer, DbTransaction transaction, SqlDialect dialect) : IIngestTransaction
{
    private readonly DbConnection connection = writer.Connection;

    private CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<CustomerKey>> FindCustomersAsync(IReadOnlyCollection<string> externalIds, IReadOnlyCollection<string> anonymousIds, CancellationToken cancellationToken)
    {
        var found = new List<CustomerKey>();
        foreach (var (ids, column) in new[] { (externalIds, "external_id"), (anonymousIds, "anonymous_id") })
        {
            if (ids.Count == 0) continue;
            var p = new DynamicParameters();
            var sql = $"SELECT id AS Id, external_id AS ExternalId, anonymous_id AS AnonymousId FROM customers WHERE {column} {dialect.InList("keys", ids, p)}";
            found.AddRange(await connection.QueryAsync<CustomerKey>(Command(sql, p, cancellationToken)));
        }
        return found.DistinctBy(k => k.Id).ToList();
    }

    public async Task<IReadOnlyList<CustomerKey>> CreateCustomersAsync(IReadOnlyList<NewCustomer> customers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = new List<CustomerKey>(customers.Count);
        if (customers.Count == 0) return created;
        var p = new DynamicParameters();
        var rows = dialect.InsertRows(customers, c => [c.ExternalId, c.AnonymousId, now, now], p, "text", "text", "timestamptz", "timestamptz");
        var sql = $"""
            INSERT INTO customers (external_id, anonymous_id, created_at, updated_at) {rows}
            ON CONFLICT DO NOTHING
            RETURNING id AS Id, external_id AS ExternalId, anonymous_id AS AnonymousId
            """;
        created.AddRange(await connection.QueryAsync<CustomerKey>(Command(sql, p, cancellationToken)));
        return created;
    }

    public Task LinkExternalIdAsync(long customerId, string externalId, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command(
            "UPDATE customers SET external_id = @externalId, updated_at = @now WHERE id = @customerId AND external_id IS NULL",
            new { customerId, externalId, now }, cancellationToken));

    public async Task<IReadOnlySet<string>> InsertEventsAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        if (events.Count == 0) return inserted;
        var p = new DynamicParameters();
        var rows = dialect.InsertRows(events, e => [e.MessageId, e.CustomerId, TypeName(e.Type), e.Name, e.Properties, e.Context, e.OccurredAt, e.ReceivedAt], p,
            "text", "bigint", "text", "text", "jsonb", "jsonb", "timestamptz", "timestamptz");
        var sql = $"""
            INSERT INTO events (message_id, customer_id, type, name, properties, context, occurred_at, received_at) {rows}
            ON CONFLICT (message_id) DO NOTHING
            RETURNING message_id
            """;
        inserted.UnionWith(await connection.QueryAsync<string>(Command(sql, p, cancellationToken)));
        return inserted;
    }

    public async Task<IReadOnlyList<CustomerProfile>> LoadProfilesAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        var sql = $"SELECT {CustomerRow.Columns} FROM customers WHERE id {dialect.InList("ids", customerIds, p)}";
        return [.. (await connection.QueryAsync<CustomerRow>(Command(sql, p, cancellationToken))).Select(r => r.ToProfile())];
    }

    public async Task SaveProfilesAsync(IReadOnlyList<CustomerProfile> profiles, CancellationToken cancellationToken)
    {
        if (profiles.Count == 0) return;
        var p = new DynamicParameters();
        // Typed, so a group whose every row leaves a column empty still saves (PostgreSQL types a column of untyped nulls as text).
        var rows = dialect.InsertRows(profiles, x => [x.Id, x.Email, x.Phone, x.Name,
            x.Birthday?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), x.Timezone, x.Locale, x.Traits, x.TraitsUpdatedAt, x.UpdatedAt],
            p, "bigint", "text", "text", "text", "text", "text", "text", "jsonb", "timestamptz", "timestamptz");
        await connection.ExecuteAsync(Command($"""
            WITH saved (id, email, phone, name, birthday, timezone, locale, traits, traits_updated_at, updated_at) AS ({rows})
            UPDATE customers SET email = saved.email, phone = saved.phone, name = saved.name, birthday = saved.birthday, timezone = saved.timezone,
                locale = saved.locale, traits = saved.traits, traits_updated_at = saved.traits_updated_at, updated_at = saved.updated_at
            FROM saved WHERE customers.id = saved.id
            """, p, cancellationToken));
    }

    public Task RecordRefundAsync(long customerId, OrderRefunded refund, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(Command("""
            INSERT INTO orders (order_id, customer_id, refunded_amount, fully_refunded) VALUES (@OrderId, @customerId, @amount, @full)
            ON CONFLICT (order_id) DO UPDATE SET
                refunded_amount = orders.refunded_amount + excluded.refunded_amount,
                fully_refunded = (orders.fully_refunded OR excluded.fully_refunded)
            """,
            new { refund.OrderId, customerId, amount = refund.Amount ?? 0m, full = refund.Amount is null }, cancellationToken));

    public async Task RefreshStatsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        var p = new DynamicParameters();
        // An order refunded in full, or by at least its total, no longer counts.
        var sql = $"""
            SELECT customer_id, COUNT(*) AS order_count,
                   SUM(total - refunded_amount) AS total_spent,
                   SUM(CASE WHEN coupon IS NULL THEN 0 ELSE 1 END) AS coupon_order_count,
                   MIN(completed_at) AS first_order_at, MAX(completed_at) AS last_order_at
            FROM orders
            WHERE customer_id {dialect.InList("ids", customerIds, p)}
              AND completed_at IS NOT NULL AND NOT fully_refunded AND (refunded_amount = 0 OR refunded_amount < total)
            GROUP BY customer_id
            """;
        var aggregates = (await connection.QueryAsync<StatsRow>(Command(sql, p, cancellationToken))).ToDictionary(r => r.CustomerId);
        var stats = customerIds.Select(id => (Id: id, Stats: aggregates.TryGetValue(id, out var a)
            ? CustomerStats.FromAggregates(a.OrderCount, a.TotalSpent, a.FirstOrderAt, a.LastOrderAt, a.CouponOrderCount)
            : CustomerStats.None)).ToList();

        if (stats.Count == 0) return;
        var upsert = new DynamicParameters();
        var rows = dialect.InsertRows(stats, s => [s.Id, s.Stats.OrderCount, s.Stats.TotalSpent, s.Stats.FirstOrderAt, s.Stats.LastOrderAt, s.Stats.MeanOrderIntervalDays, s.Stats.CouponOrderCount], upsert,
            "bigint", "integer", "numeric", "timestamptz", "timestamptz", "double precision", "integer");
        await connection.ExecuteAsync(Command($"""
            INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, mean_order_interval_days, coupon_order_count)
            {rows}
            ON CONFLICT (customer_id) DO UPDATE SET
                order_count = excluded.order_count, total_spent = excluded.total_spent, first_order_at = excluded.first_order_at,
                last_order_at = excluded.last_order_at, mean_order_interval_days = excluded.mean_order_interval_days,
                coupon_order_count = excluded.coupon_order_count
            """, upsert, cancellationToken));
    }

    public async Task<IReadOnlyList<StoredEvent>> LoadOpenCartEventsAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return [];
        var p = new DynamicParameters();
        var sql = $"""
            SELECT e.customer_id, e.name, e.properties, e.occurred_at
            FROM events e
            WHERE e.customer_id {dialect.InList("ids", customerIds, p)}
              AND e.type = 'track' AND e.name {dialect.InList("names", CommerceEvents.CartEventNames, p)}
              AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = e.customer_id AND o.completed_at >= e.occurred_at)
            ORDER BY e.customer_id, e.occurred_at, e.id
            """;
        return [.. (await connection.QueryAsync<EventRow>(Command(sql, p, cancellationToken))).Select(e => e.ToStoredEvent())];
    }

    public async Task SaveCartsAsync(IReadOnlyDictionary<long, Cart?> carts, CancellationToken cancellationToken)
    {
        var emptied = carts.Where(c => c.Value is null).Select(c => c.Key).ToList();
        if (emptied.Count > 0)
        {
            var ids = new DynamicParameters();
            await connection.ExecuteAsync(Command($"DELETE FROM carts WHERE customer_id {dialect.InList("ids", emptied, ids)}", ids, cancellationToken));
        }

        var open = carts.Where(c => c.Value is not null).Select(c => (Id: c.Key, Cart: c.Value!)).ToList();
        if (open.Count == 0) return;
        var p = new DynamicParameters();
        var rows = dialect.InsertRows(open, c => [c.Id, ProductJson.Write(c.Cart.Items), c.Cart.ItemCount, c.Cart.Value, c.Cart.Currency, c.Cart.UpdatedAt], p,
            "bigint", "jsonb", "integer", "numeric", "text", "timestamptz");
        await connection.ExecuteAsync(Command($"""
            INSERT INTO carts (customer_id, items, item_count, value, currency, updated_at) {rows}
            ON CONFLICT (customer_id) DO UPDATE SET
                items = excluded.items, item_count = excluded.item_count, value = excluded.value,
                currency = excluded.currency, updated_at = excluded.updated_at
            """, p, cancellationToken));
    }

    private List<Action>? _onCommitted;

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        foreach (var committed in _onCommitted ?? []) committed();
    }

    public void OnCommitted(Action committed) => (_onCommitted ??= []).Add(committed);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await writer.DisposeAsync();
    }

    private static string TypeName(MessageType type) => type switch
    {
        MessageType.Identify => "identify",
        MessageType.Track => "track",
        MessageType.Page => "page",
        MessageType.Screen => "screen",
        MessageType.Group => "group",
        MessageType.Alias => "alias",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
