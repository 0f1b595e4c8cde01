using Automation.Core.Analytics;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Analytics;
using Automation.Server.Configuration;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>Reports: <c>GET /v1/metrics/repurchase</c>, <c>GET /v1/metrics/loyalty</c>, <c>GET /v1/metrics/attribution</c> and <c>GET /v1/metrics/coupons</c>; see docs/analytics.md.</summary>
internal static class MetricsApi
{
    public static ApiRoutes MapMetricsApi(this ApiRoutes v1)
    {
        // Parameters arrive as text so a bad number gets our problem naming it, not the framework's bare 400.
        v1.Admin.MapGet("/metrics/repurchase", async (string? from, string? to, string? segment, string? within,
            IAnalyticsStore store, TierCatalog tiers, TimeProvider clock, CancellationToken ct) =>
        {
            FieldError?[] checks =
            [
                ReportParameters.Window(from, to, null, "", out var start, out var end),
                ReportParameters.Segment(segment, "segment", out var grouping),
                ReportParameters.Days(within, ReportParameters.DefaultRepurchaseDays, "within", out var days),
            ];
            if (checks.OfType<FieldError>().ToList() is { Count: > 0 } errors) return ValidationProblem.For(errors);
            var query = new RepurchaseQuery(start, end, days, grouping, ReportParameters.BaseTier(tiers), clock.GetUtcNow());
            return Results.Ok(await AnalyticsReports.RepurchaseAsync(store, query, ct));
        });

        v1.Admin.MapGet("/metrics/loyalty", async (string? from, string? to, IAnalyticsStore store, PointsSettings points, IOptions<AnalyticsSettings> settings,
            TimeProvider clock, CancellationToken ct) =>
        {
            if (ReportParameters.Window(from, to, null, "", out var start, out var end) is { } error) return ValidationProblem.For([error]);
            var query = new LoyaltyQuery(start, end, clock.GetUtcNow());
            return Results.Ok(await AnalyticsReports.LoyaltyAsync(store, query, points.Value, settings.Value.ReturningShareTarget, ct));
        });

        v1.Admin.MapGet("/metrics/attribution", async (string? from, string? to, string? within, string? journey,
            IAnalyticsStore store, CancellationToken ct) =>
        {
            FieldError?[] checks =
            [
                ReportParameters.Window(from, to, null, "", out var start, out var end),
                ReportParameters.Days(within, ReportParameters.DefaultAttributionDays, "within", out var days),
            ];
            if (checks.OfType<FieldError>().ToList() is { Count: > 0 } errors) return ValidationProblem.For(errors);
            var query = new AttributionQuery(start, end, days, string.IsNullOrWhiteSpace(journey) ? null : journey);
            return Results.Ok(await AnalyticsReports.AttributionAsync(store, query, ct));
        });

        v1.Admin.MapGet("/metrics/coupons", async (string? from, string? to, IAnalyticsStore store, CouponCatalog catalog, CancellationToken ct) =>
        {
            if (ReportParameters.OpenWindow(from, to, "", out var start, out var end) is { } error) return ValidationProblem.For([error]);
            return Results.Ok(await AnalyticsReports.CouponsAsync(store, new CouponReportQuery(start, end), catalog, ct));
        });
        return v1;
    }
}
