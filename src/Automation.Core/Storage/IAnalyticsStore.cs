using Automation.Core.Analytics;

namespace Automation.Core.Storage;

/// <summary>Computes the sums behind the repurchase, loyalty, attribution (with email engagement) and coupon reports, in the database.</summary>
public interface IAnalyticsStore
{
    /// <summary>Repurchase groups, order intervals, cohort retention and revenue, and predicted-LTV inputs.</summary>
    Task<RepurchaseFigures> LoadRepurchaseAsync(RepurchaseQuery query, CancellationToken cancellationToken);

    /// <summary>Sends, conversions and revenue per journey, step and variant, holdouts included, last touch.</summary>
    Task<IReadOnlyList<AttributionFigures>> LoadAttributionAsync(AttributionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Per journey, step and variant, the emails sent in the query's window, how many carried the pixel and tracked links,
    /// and how many of those a reader opened and clicked; one grouped query.
    /// </summary>
    Task<IReadOnlyList<EmailEngagementFigures>> LoadEmailEngagementAsync(AttributionQuery query, CancellationToken cancellationToken);

    /// <summary>Returning customers' orders and revenue, and the points ledger's balance and flows.</summary>
    Task<LoyaltyFigures> LoadLoyaltyAsync(LoyaltyQuery query, CancellationToken cancellationToken);

    /// <summary>Codes issued and redeemed, revenue, discounts, refused attempts and codes left, per coupon campaign.</summary>
    Task<CouponReportFigures> LoadCouponsAsync(CouponReportQuery query, CancellationToken cancellationToken);
}
