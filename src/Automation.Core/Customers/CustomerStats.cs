namespace Automation.Core.Customers;

/// <summary>
/// Purchase statistics kept up to date on every ingested order, refund and delivery.
/// Fully refunded orders do not count; partial refunds lower the spend.
/// </summary>
public sealed record CustomerStats(
    int OrderCount,
    decimal TotalSpent,
    DateTimeOffset? FirstOrderAt,
    DateTimeOffset? LastOrderAt,
    double? MeanOrderIntervalDays,
    int CouponOrderCount = 0)
{
    /// <summary>Stats of a customer who has not ordered.</summary>
    public static CustomerStats None { get; } = new(0, 0m, null, null, null);

    /// <summary>
    /// Builds stats from aggregates. The mean interval between consecutive orders telescopes to
    /// (last − first) / (count − 1), so it needs no per-order rows.
    /// </summary>
    public static CustomerStats FromAggregates(int orderCount, decimal totalSpent, DateTimeOffset? first, DateTimeOffset? last, int couponOrderCount = 0)
    {
        double? meanInterval = orderCount >= 2 && first is { } f && last is { } l
            ? (l - f).TotalDays / (orderCount - 1)
            : null;
        return new CustomerStats(orderCount, totalSpent, first, last, meanInterval, couponOrderCount);
    }

    /// <summary>Whole days since the first order, or null when there is none.</summary>
    public int? DaysSinceFirstOrder(DateTimeOffset now) =>
        FirstOrderAt is { } first ? Math.Max(0, (int)Math.Floor((now - first).TotalDays)) : null;

    /// <summary>Whole days since the last order, or null when there is none. An order stamped ahead of the clock (a skewed sender) counts as today.</summary>
    public int? DaysSinceLastOrder(DateTimeOffset now) =>
        LastOrderAt is { } last ? Math.Max(0, (int)Math.Floor((now - last).TotalDays)) : null;
}
