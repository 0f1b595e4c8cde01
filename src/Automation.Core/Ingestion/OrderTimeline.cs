using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Ingestion;

/// <summary>
/// Order totals as the orders of a run are recorded one after another, without writing them in between: the other
/// orders' totals over each span come from the database in one statement, and the run's own order rows (as they
/// stood before, and as each order of the run replaces them) are followed here.
/// </summary>
internal sealed class OrderTimeline
{
    private readonly IReadOnlyDictionary<TotalsSpan, OrderTotals> _others;
    private readonly Dictionary<string, OrderState> _followed;

    private OrderTimeline(IReadOnlyDictionary<TotalsSpan, OrderTotals> others, Dictionary<string, OrderState> followed)
    {
        _others = others;
        _followed = followed;
    }

    /// <summary>Reads what the <paramref name="spans"/> will be asked about, leaving the run's own orders to be followed.</summary>
    public static async Task<OrderTimeline> LoadAsync(IIngestTransaction tx, IReadOnlyList<RecordedOrder> run, IReadOnlyCollection<TotalsSpan> spans, CancellationToken ct)
    {
        var orderIds = run.Select(o => o.Order.OrderId).ToHashSet(StringComparer.Ordinal);
        var distinct = spans.Distinct().ToList();
        var totals = await tx.OrderTotalsAsync(distinct, orderIds, ct);
        var rows = await tx.LoadOrdersAsync(orderIds, ct);
        return new OrderTimeline(distinct.Zip(totals).ToDictionary(p => p.First, p => p.Second), rows.ToDictionary(r => r.OrderId, StringComparer.Ordinal));
    }

    /// <summary>The order is recorded (again): later spans count it as it is now.</summary>
    public void Record(RecordedOrder order) =>
        _followed[order.Order.OrderId] = OrderState.Recorded(_followed.GetValueOrDefault(order.Order.OrderId), order);

    /// <summary>The totals over the span of the orders recorded so far; the span is one given to <see cref="LoadAsync"/>.</summary>
    public OrderTotals Totals(TotalsSpan span)
    {
        var (spend, orders) = _others[span];
        foreach (var row in _followed.Values)
        {
            if (row.CustomerId != span.CustomerId || !row.Counts || row.CompletedAt < span.From || row.CompletedAt > span.Until) continue;
            spend += row.Total - row.RefundedAmount;
            orders++;
        }
        return new OrderTotals(spend, orders);
    }
}
