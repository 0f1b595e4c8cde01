using Automation.Core.Ingestion;
using Automation.Core.Tiers;
using Dapper;

namespace Automation.Storage;

// The orders and deliveries of an ingest group, a chunk of rows per statement, and the totals its tiers and points are decided on.
internal sealed partial class WriteTransaction
{
    private sealed class OrderStateRow
    {
        public string OrderId { get; set; } = "";
        public long CustomerId { get; set; }
        public decimal Total { get; set; }
        public decimal RefundedAmount { get; set; }
        public bool FullyRefunded { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
    }

    private sealed class SpanTotalsRow
    {
        public int Span { get; set; }
        public decimal Spend { get; set; }
        public int Orders { get; set; }
    }

    public async Task RecordOrdersAsync(IReadOnlyList<RecordedOrder> orders, CancellationToken cancellationToken)
    {
        // One statement cannot update a row twice: the last of an order id is what recording them in turn leaves.
        var last = orders.GroupBy(o => o.Order.OrderId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        foreach (var chunk in last.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, o => [o.Order.OrderId, o.CustomerId, o.Order.Total, o.Order.Currency, o.Order.Coupon, o.Order.Discount,
                ProductJson.Write(o.Order.Products), o.CompletedAt], p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO orders (order_id, customer_id, total, currency, coupon, discount, products, completed_at) VALUES {values}
                ON CONFLICT (order_id) DO UPDATE SET
                    customer_id = excluded.customer_id, total = excluded.total, currency = excluded.currency, coupon = excluded.coupon,
                    discount = excluded.discount, products = excluded.products, completed_at = excluded.completed_at
                """, p, cancellationToken));
        }
    }

    public async Task RecordDeliveriesAsync(IReadOnlyList<RecordedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var last = deliveries.GroupBy(d => d.Delivery.OrderId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        foreach (var chunk in last.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, d => [d.Delivery.OrderId, d.CustomerId, d.DeliveredAt], p);
            await connection.ExecuteAsync(Command($"""
                INSERT INTO orders (order_id, customer_id, delivered_at) VALUES {values}
                ON CONFLICT (order_id) DO UPDATE SET delivered_at = excluded.delivered_at
                """, p, cancellationToken));
        }
    }

    public async Task<IReadOnlyList<OrderState>> LoadOrdersAsync(IReadOnlyCollection<string> orderIds, CancellationToken cancellationToken)
    {
        if (orderIds.Count == 0) return [];
        var p = new DynamicParameters();
        var sql = $"SELECT order_id, customer_id, total, refunded_amount, fully_refunded, completed_at FROM orders WHERE order_id {dialect.InList("ids", orderIds, p)}";
        return [.. (await connection.QueryAsync<OrderStateRow>(Command(sql, p, cancellationToken)))
            .Select(r => new OrderState(r.OrderId, r.CustomerId, r.Total, r.RefundedAmount, r.FullyRefunded, r.CompletedAt))];
    }

    public async Task<IReadOnlyList<OrderTotals>> OrderTotalsAsync(IReadOnlyList<TotalsSpan> spans, IReadOnlyCollection<string> leavingOut, CancellationToken cancellationToken)
    {
        var totals = new OrderTotals[spans.Count];
        var indexed = spans.Select((span, i) => (Span: span, Index: i)).ToList();
        foreach (var chunk in indexed.Chunk(dialect.RowsPerStatement))
        {
            var p = new DynamicParameters();
            var values = SqlLists.Values(chunk, s => [s.Index, s.Span.CustomerId, s.Span.From, s.Span.Until], p);
            var sql = $"""
                WITH spans (span, span_customer_id, from_at, until_at) AS (VALUES {values})
                SELECT span, SUM(total - refunded_amount) AS spend, COUNT(*) AS orders
                FROM spans JOIN orders ON customer_id = span_customer_id
                WHERE {TierQueries.Counted} AND completed_at >= from_at AND completed_at <= until_at
                  AND NOT (order_id {dialect.InList("leaving_out", leavingOut, p)})
                GROUP BY span
                """;
            foreach (var row in await connection.QueryAsync<SpanTotalsRow>(Command(sql, p, cancellationToken)))
                totals[row.Span] = new OrderTotals(row.Spend, row.Orders);
        }
        return totals;
    }
}
