namespace Automation.Core.Analytics;

/// <summary>What a loyalty report covers. See docs/analytics.md for every definition.</summary>
/// <param name="From">Start of the period, inclusive.</param>
/// <param name="To">End of the period, exclusive.</param>
/// <param name="AsOf">The report's time: nothing after it is counted.</param>
public sealed record LoyaltyQuery(DateTimeOffset From, DateTimeOffset To, DateTimeOffset AsOf)
{
    /// <summary>When the outstanding balance is taken: the period's end, or the report's time when that comes first.</summary>
    public DateTimeOffset BalanceAt => To < AsOf ? To : AsOf;
}

/// <summary>The sums a loyalty report is made of, as the database computes them.</summary>
/// <param name="Orders">Counted orders completed in the period.</param>
/// <param name="ReturningOrders">Those whose customer had a counted order completed earlier.</param>
/// <param name="Revenue">Revenue of the period's counted orders, net of partial refunds.</param>
/// <param name="ReturningRevenue">Revenue of the returning orders.</param>
/// <param name="OutstandingPoints">Points earned and not yet spent, reversed or lapsed at <see cref="LoyaltyQuery.BalanceAt"/>.</param>
/// <param name="PointsEarned">Earned and awarded in the period, less reversals of refunded orders.</param>
/// <param name="PointsRedeemed">Redeemed in the period (checkout, rewards, draws), less cancelled redemptions.</param>
/// <param name="PointsExpired">Written off as lapsed in the period.</param>
/// <param name="PointsMembers">Customers who had earned or been awarded points by <see cref="LoyaltyQuery.BalanceAt"/>.</param>
/// <param name="Redeemers">Of those, the customers who had redeemed at least once by then.</param>
public sealed record LoyaltyFigures(long Orders, long ReturningOrders, decimal Revenue, decimal ReturningRevenue,
    long OutstandingPoints, long PointsEarned, long PointsRedeemed, long PointsExpired, long PointsMembers, long Redeemers);

/// <summary>Returning customers' share of sales and the points programme's liability and use; see docs/analytics.md.</summary>
public sealed record LoyaltyReport(DateTimeOffset From, DateTimeOffset To, DateTimeOffset AsOf, ReturningShare Returning, PointsLiability Points)
{
    /// <summary>Shares and money from the database's sums.</summary>
    /// <param name="query">The period.</param>
    /// <param name="figures">The sums.</param>
    /// <param name="pointValue">Currency units one point is worth at checkout (<c>Points:Value</c>).</param>
    /// <param name="returningShareTarget">The returning share the shop aims at (<c>Analytics:ReturningShareTarget</c>); null for none.</param>
    public static LoyaltyReport Build(LoyaltyQuery query, LoyaltyFigures figures, decimal pointValue, double? returningShareTarget) => new(
        query.From, query.To, query.AsOf,
        new ReturningShare(figures.Orders, figures.ReturningOrders, Share(figures.ReturningOrders, figures.Orders),
            figures.Revenue, figures.ReturningRevenue, figures.Revenue > 0 ? (double)(figures.ReturningRevenue / figures.Revenue) : null, returningShareTarget),
        new PointsLiability(query.BalanceAt, figures.OutstandingPoints, pointValue, figures.OutstandingPoints * pointValue,
            figures.PointsEarned, figures.PointsRedeemed, figures.PointsExpired, figures.PointsEarned > 0 ? (double)figures.PointsRedeemed / figures.PointsEarned : null,
            figures.PointsMembers, figures.Redeemers, Share(figures.Redeemers, figures.PointsMembers)));

    private static double? Share(long part, long whole) => whole > 0 ? (double)part / whole : null;
}

/// <summary>How much of the period's sales came from customers who had bought before.</summary>
/// <param name="OrderShare">Returning orders / orders; null without orders.</param>
/// <param name="RevenueShare">Returning revenue / revenue; null without revenue.</param>
/// <param name="Target">The share aimed at, as a reference line; null when none is configured.</param>
public sealed record ReturningShare(long Orders, long ReturningOrders, double? OrderShare, decimal Revenue, decimal ReturningRevenue, double? RevenueShare, double? Target);

/// <summary>What the points in customers' hands are worth, and how they moved in the period.</summary>
/// <param name="At">When <see cref="Outstanding"/> is taken.</param>
/// <param name="Outstanding">Unspent, unexpired points.</param>
/// <param name="PointValue">Currency units per point.</param>
/// <param name="Liability">Outstanding × point value: what the shop owes if every point is spent.</param>
/// <param name="RedemptionRate">Redeemed / earned in the period; null when nothing was earned. Can exceed 1 when older points are spent.</param>
/// <param name="Members">Customers who had earned or been awarded points by <see cref="At"/>.</param>
/// <param name="Redeemers">Of those, customers who had redeemed at least once by then.</param>
/// <param name="RedeemerShare">Redeemers / members; null without members.</param>
public sealed record PointsLiability(DateTimeOffset At, long Outstanding, decimal PointValue, decimal Liability, long Earned, long Redeemed, long Expired,
    double? RedemptionRate, long Members, long Redeemers, double? RedeemerShare);
