using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Storage;
using Automation.Server.Analytics;

namespace Automation.Server.MarketerConsole;

/// <summary>The analytics page's two reports for one window, through the <see cref="ReportCache"/>.</summary>
internal sealed record AnalyticsPageReports(CachedReport<RepurchaseReport> Repurchase, CachedReport<AttributionReport> Attribution);

/// <summary>Computes and keeps the analytics page's reports; the page and <see cref="AnalyticsWarmer"/> share it.</summary>
internal sealed class AnalyticsReportSet(IAnalyticsStore store, ReportCache reports, TimeProvider clock)
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
        var repurchase = await reports.GetAsync($"repurchase|{key}", ct => AnalyticsReports.RepurchaseAsync(store,
            new RepurchaseQuery(start, end, repurchaseDays, null, ReportParameters.NoTierGroup, clock.GetUtcNow()), ct));
        var attribution = await reports.GetAsync($"attribution|{start:O}|{end:O}", ct => AnalyticsReports.AttributionAsync(store,
            new AttributionQuery(start, end, ReportParameters.DefaultAttributionDays, null), ct));
        return new AnalyticsPageReports(repurchase, attribution);
    }

    /// <summary>The reports of the page as first opened: the default window and repurchase days.</summary>
    public Task<AnalyticsPageReports> GetDefaultAsync()
    {
        ReportParameters.Window(null, null, DefaultEnd, "", out var start, out var end);
        return GetAsync(start, end, ReportParameters.DefaultRepurchaseDays);
    }
}
