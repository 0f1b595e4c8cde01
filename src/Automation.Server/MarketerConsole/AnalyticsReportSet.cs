using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Storage;
using Automation.Core.Points;
using Automation.Core.Tiers;
using Automation.Server.Analytics;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>The analytics page's reports for one window, through the <see cref="ReportCache"/>.</summary>
/// <param name="ByTier">Repurchase grouped by the tier held when each customer's window opened.</param>
/// <param name="ByMembership">Repurchase of returning members and non-members.</param>
internal sealed record AnalyticsPageReports(CachedReport<RepurchaseReport> Repurchase, CachedReport<AttributionReport> Attribution, CachedReport<LoyaltyReport> Loyalty,
    CachedReport<RepurchaseReport> ByTier, CachedReport<RepurchaseReport> ByMembership);

/// <summary>Computes and keeps the analytics page's reports; the page and <see cref="AnalyticsWarmer"/> share it.</summary>
internal sealed class AnalyticsReportSet(IAnalyticsStore store, ReportCache reports, TierCatalog tiers, PointsSettings points, IOptions<AnalyticsSettings> settings,
    TimeProvider clock)
{
    /// <summary>
    /// Where the default window ends: the coming midnight (UTC), so every request of a day shares one kept report.
    /// </summary>
    public DateTimeOffset DefaultEnd
    {
        get
        {
            var now = clock.GetUtcNow();
            return new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        }
    }

    public async Task<AnalyticsPageReports> GetAsync(DateTimeOffset start, DateTimeOffset end, int repurchaseDays)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{start:O}|{end:O}|{repurchaseDays}");
        // The base tier is part of a grouped report's key: rules/tiers.json may load, or change, after the report was kept.
        var baseTier = ReportParameters.BaseTier(tiers);
        Task<CachedReport<RepurchaseReport>> Repurchase(RepurchaseSegment? segment) => reports.GetAsync(segment is null ? $"repurchase|{key}" : $"repurchase|{segment}|{baseTier}|{key}", ct => AnalyticsReports.RepurchaseAsync(store,
            new RepurchaseQuery(start, end, repurchaseDays, segment, baseTier, clock.GetUtcNow()), ct));
        var repurchase = await Repurchase(null);
        var attribution = await reports.GetAsync($"attribution|{start:O}|{end:O}", ct => AnalyticsReports.AttributionAsync(store,
            new AttributionQuery(start, end, ReportParameters.DefaultAttributionDays, null), ct));
        var loyalty = await reports.GetAsync($"loyalty|{start:O}|{end:O}", ct => AnalyticsReports.LoyaltyAsync(store,
            new LoyaltyQuery(start, end, clock.GetUtcNow()), points.Value, settings.Value.ReturningShareTarget, ct));
        return new AnalyticsPageReports(repurchase, attribution, loyalty, await Repurchase(RepurchaseSegment.Tier), await Repurchase(RepurchaseSegment.Member));
    }

    /// <summary>The reports of the page as first opened: the default window and repurchase days.</summary>
    public Task<AnalyticsPageReports> GetDefaultAsync()
    {
        ReportParameters.Window(null, null, DefaultEnd, "", out var start, out var end);
        return GetAsync(start, end, ReportParameters.DefaultRepurchaseDays);
    }
}
