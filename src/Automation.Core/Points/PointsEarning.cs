using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Points;

/// <summary>Points earned on orders and given back on refunds, in the ingest transaction.</summary>
public static class PointsEarning
{
    /// <summary>The most one order earns: a ledger entry's points are a 32-bit integer on both databases.</summary>
    public const int MaxPerOrder = int.MaxValue;

    /// <summary>
    /// What an order earns: floor(total × rate × the tier's multiplier), at most <see cref="MaxPerOrder"/>, once per
    /// order id whatever the resends (the grant's source key). The rate is <c>Points:PerCurrencyUnit</c>, or with spend
    /// bands in rules/tiers.json the band reached by <paramref name="month"/>, the totals of <see cref="MonthOf"/> with
    /// this order. The points lapse <see cref="PointsSettings.ExpiryMonths"/> after the order, or never for an order
    /// stamped at the calendar's end. Null when the order earns nothing.
    /// </summary>
    public static PointsGrant? ForOrder(long customerId, OrderCompleted order, DateTimeOffset at, PointsSettings settings, TierProgram? program,
        OrderTotals month, TierDefinition? tier)
    {
        var rate = program is { Bands.Count: > 0 } ? program.BandRate(month.Spend) : settings.PerCurrencyUnit;
        var points = Earned(order.Total, rate * (tier?.Multiplier ?? 1m));
        return points > 0
            ? new PointsGrant(customerId, points, PointsKinds.Earn, $"order {order.OrderId}", OrderKey(order.OrderId), at, SaturatingCalendar.AddMonths(at, settings.ExpiryMonths))
            : null;
    }

    /// <summary>The span a spend band is reached by: the order's calendar month (UTC) up to and including the order.</summary>
    public static TotalsSpan MonthOf(long customerId, DateTimeOffset at) =>
        new(customerId, new DateTimeOffset(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero), at);

    /// <summary>
    /// Takes back what a refund undoes: all for a full refund, the refunded share of what the order earned for a
    /// partial one (rounded down), never more than was earned.
    /// </summary>
    public static async Task OnRefundAsync(IPointsLedger tx, long customerId, OrderRefunded refund, string messageId, DateTimeOffset at, CancellationToken ct)
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

    /// <summary>floor(total × pointsPerUnit), saturating at <see cref="MaxPerOrder"/> before the product could overflow.</summary>
    public static int Earned(decimal total, decimal pointsPerUnit)
    {
        if (total <= 0 || pointsPerUnit <= 0) return 0;
        // Below one point per unit the product is at most the total; above, the division cannot overflow.
        var product = pointsPerUnit <= 1 || total < MaxPerOrder / pointsPerUnit ? total * pointsPerUnit : MaxPerOrder;
        return (int)Math.Min(MaxPerOrder, Math.Floor(product));
    }

    private static string OrderKey(string orderId) => $"order:{orderId}";
}
