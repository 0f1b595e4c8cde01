using Automation.Core.Coupons;

namespace Automation.Core.Analytics;

/// <summary>The coupon report's window: codes issued, and orders naming a code, from <paramref name="From"/> until before <paramref name="To"/>.</summary>
public sealed record CouponReportQuery(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// The database's counts and sums for one campaign. Of the codes issued in the window: <paramref name="Issued"/>,
/// <paramref name="Redeemed"/>, and the <paramref name="Revenue"/> (order totals) and <paramref name="Cost"/>
/// (discounts) of the orders that redeemed them. Orders in the window that named an <paramref name="Expired"/> or
/// <paramref name="AlreadyRedeemed"/> code of the campaign. Now, whatever the window: imported codes not yet issued
/// (<paramref name="CodesLeft"/>) and codes ever issued, which the budget counts (<paramref name="IssuedEver"/>).
/// </summary>
public sealed record CouponFigures(string Campaign, long Issued, long Redeemed, decimal Revenue, decimal Cost, long Expired, long AlreadyRedeemed, long CodesLeft, long IssuedEver);

/// <summary>The report's sums: per campaign, and orders in the window that named a code no campaign issued.</summary>
public sealed record CouponReportFigures(IReadOnlyList<CouponFigures> Campaigns, long UnknownCodes);

/// <summary>
/// Per coupon campaign: codes issued and redeemed, the redemption rate with its 95 % interval (Wilson), what the
/// redeeming orders brought and what their discounts cost, codes and budget left, and orders that named a code too
/// late or twice; see docs/analytics.md. <paramref name="UnknownCodes"/>: orders that named a code no campaign issued.
/// </summary>
public sealed record CouponReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<CampaignResults> Campaigns, long UnknownCodes)
{
    /// <summary>
    /// Every campaign in force, with no figures when nothing happened to it, and every campaign with figures, in force
    /// or not (a removed file keeps its history), in name order.
    /// </summary>
    public static CouponReport Build(CouponReportQuery query, CouponReportFigures figures, IReadOnlyList<CouponCampaign> inForce)
    {
        var byName = figures.Campaigns.ToDictionary(f => f.Campaign, StringComparer.Ordinal);
        var campaigns = inForce.Select(c => c.Name).Union(byName.Keys).Order(StringComparer.Ordinal)
            .Select(name => CampaignResults.Of(byName.GetValueOrDefault(name) ?? new CouponFigures(name, 0, 0, 0, 0, 0, 0, 0, 0),
                inForce.FirstOrDefault(c => c.Name == name)))
            .ToList();
        return new CouponReport(query.From, query.To, campaigns, figures.UnknownCodes);
    }
}

/// <summary>
/// One campaign's line of the <see cref="CouponReport"/>. <paramref name="CodesLeft"/> is null for a campaign that
/// generates its codes; <paramref name="Budget"/> and <paramref name="BudgetLeft"/> are null without a budget, and
/// <paramref name="InForce"/> is false for a campaign whose file is gone.
/// </summary>
public sealed record CampaignResults(string Campaign, bool InForce, long Issued, long Redeemed, double? RedemptionRate, Interval? RedemptionInterval,
    decimal Revenue, decimal Cost, long? CodesLeft, int? Budget, long? BudgetLeft, long Expired, long AlreadyRedeemed)
{
    public static CampaignResults Of(CouponFigures f, CouponCampaign? campaign) => new(f.Campaign, campaign is not null, f.Issued, f.Redeemed,
        f.Issued > 0 ? (double)f.Redeemed / f.Issued : null, f.Issued > 0 ? Proportions.Wilson(f.Redeemed, f.Issued) : null,
        f.Revenue, f.Cost, campaign is { Imported: false } ? null : f.CodesLeft,
        campaign?.Budget, campaign?.Budget is { } budget ? Math.Max(0, budget - f.IssuedEver) : null, f.Expired, f.AlreadyRedeemed);
}
