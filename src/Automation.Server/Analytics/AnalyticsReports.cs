using Automation.Core.Analytics;
using Automation.Core.Coupons;
using Automation.Core.Storage;

namespace Automation.Server.Analytics;

/// <summary>Builds the reports from the store's sums; shared by the metrics API and <c>automation report</c>.</summary>
internal static class AnalyticsReports
{
    public static async Task<RepurchaseReport> RepurchaseAsync(IAnalyticsStore store, RepurchaseQuery query, CancellationToken ct) =>
        RepurchaseReport.Build(query, await store.LoadRepurchaseAsync(query, ct));

    public static async Task<LoyaltyReport> LoyaltyAsync(IAnalyticsStore store, LoyaltyQuery query, decimal pointValue, double? returningShareTarget, CancellationToken ct) =>
        LoyaltyReport.Build(query, await store.LoadLoyaltyAsync(query, ct), pointValue, returningShareTarget);

    public static async Task<AttributionReport> AttributionAsync(IAnalyticsStore store, AttributionQuery query, CancellationToken ct) =>
        AttributionReport.Build(query, await store.LoadAttributionAsync(query, ct), await store.LoadEmailEngagementAsync(query, ct));

    public static async Task<CouponReport> CouponsAsync(IAnalyticsStore store, CouponReportQuery query, CouponCatalog catalog, CancellationToken ct) =>
        CouponReport.Build(query, await store.LoadCouponsAsync(query, ct), catalog.Campaigns);
}
