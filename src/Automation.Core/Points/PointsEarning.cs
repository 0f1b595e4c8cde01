using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Points;

/// <summary>Points earned on orders and given back on refunds, in the ingest transaction.</summary>
public static class PointsEarning
{
    /// <summary>Earns floor(total × rate) for an order, once per order id whatever the resends.</summary>
    public static async Task OnOrderAsync(IJourneyTransaction tx, long customerId, OrderCompleted order, DateTimeOffset at, PointsSettings settings, CancellationToken ct)
    {
        var points = (int)Math.Floor(order.Total * settings.PerCurrencyUnit);
        if (points > 0)
            await tx.AddPointsAsync(customerId, points, PointsKinds.Earn, $"order {order.OrderId}", OrderKey(order.OrderId), at, at.AddMonths(settings.ExpiryMonths), ct);
    }

    /// <summary>Takes back what a refund undoes: all for a full refund, floor(amount × rate) for a partial one, never more than was earned.</summary>
    public static async Task OnRefundAsync(IJourneyTransaction tx, long customerId, OrderRefunded refund, string messageId, DateTimeOffset at, PointsSettings settings, CancellationToken ct)
    {
        if (await tx.FindPointsAsync(OrderKey(refund.OrderId), ct) is not { } earned) return;
        var prefix = $"refund:{refund.OrderId}:";
        var alreadyReversed = -(await tx.LoadPointsAsync(customerId, ct)).Where(e => e.SourceKey.StartsWith(prefix, StringComparison.Ordinal)).Sum(e => e.Points);
        var wanted = refund.Amount is { } amount ? (int)Math.Floor(amount * settings.PerCurrencyUnit) : earned.Points;
        var points = Math.Min(wanted, earned.Points - alreadyReversed);
        if (points > 0)
            await tx.AddPointsAsync(customerId, -points, PointsKinds.Reverse, $"refund of order {refund.OrderId}", prefix + messageId, at, null, ct);
    }

    private static string OrderKey(string orderId) => $"order:{orderId}";
}
