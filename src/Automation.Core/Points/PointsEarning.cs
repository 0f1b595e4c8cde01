using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Points;

/// <summary>Points earned on orders and given back on refunds, in the ingest transaction.</summary>
public static class PointsEarning
{
    /// <summary>Most points one order earns: the ledger holds whole points in 32 bits, and a balance sums many orders.</summary>
    public const int MaxPerOrder = 100_000_000;

    /// <summary>
    /// Earns floor(total × rate × the tier's multiplier), once per order id whatever the resends. The rate is
    /// <c>Points:PerCurrencyUnit</c>, or with spend bands in rules/tiers.json the band reached by the calendar month's
    /// spend (UTC) up to and including this order.
    /// </summary>
    public static async Task OnOrderAsync(IJourneyTransaction tx, long customerId, OrderCompleted order, DateTimeOffset at, PointsSettings settings,
        TierProgram? program, TierDefinition? tier, CancellationToken ct)
    {
        var rate = settings.PerCurrencyUnit;
        if (program is { Bands.Count: > 0 })
        {
            var monthStart = new DateTimeOffset(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
            var month = (await tx.OrderTotalsAsync([customerId], monthStart, at, ct)).GetValueOrDefault(customerId);
            rate = program.BandRate(month.Spend);
        }
        var points = (int)Math.Min(MaxPerOrder, Math.Floor(order.Total * rate * (tier?.Multiplier ?? 1m)));
        if (points > 0)
            await tx.AddPointsAsync(customerId, points, PointsKinds.Earn, $"order {order.OrderId}", OrderKey(order.OrderId), at, ExpiryOf(at, settings.ExpiryMonths), ct);
    }

    /// <summary>
    /// Takes back what a refund undoes: all for a full refund, the refunded share of what the order earned for a
    /// partial one (rounded down), never more than was earned.
    /// </summary>
    public static async Task OnRefundAsync(IJourneyTransaction tx, long customerId, OrderRefunded refund, string messageId, DateTimeOffset at, CancellationToken ct)
    {
        if (await tx.FindPointsAsync(OrderKey(refund.OrderId), ct) is not { } earned) return;
        var prefix = $"refund:{refund.OrderId}:";
        var alreadyReversed = -(await tx.LoadPointsAsync(customerId, ct)).Where(e => e.SourceKey.StartsWith(prefix, StringComparison.Ordinal)).Sum(e => e.Points);
        var total = await tx.OrderTotalAsync(refund.OrderId, ct);
        var wanted = refund.Amount is { } amount && total is > 0
            ? (int)Math.Floor(earned.Points * Math.Min(1m, amount / total.Value))
            : earned.Points;
        var points = Math.Min(wanted, earned.Points - alreadyReversed);
        if (points > 0)
            await tx.AddPointsAsync(customerId, -points, PointsKinds.Reverse, $"refund of order {refund.OrderId}", prefix + messageId, at, null, ct);
    }

    /// <summary>When points earned at <paramref name="at"/> lapse; never past the last date there is.</summary>
    public static DateTimeOffset ExpiryOf(DateTimeOffset at, int months) =>
        at > DateTimeOffset.MaxValue.AddMonths(-months) ? DateTimeOffset.MaxValue : at.AddMonths(months);

    private static string OrderKey(string orderId) => $"order:{orderId}";
}
