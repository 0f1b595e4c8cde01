using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Automation.Server.Console.Charts;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.Console.Pages;

/// <summary>
/// The repurchase and attribution reports as charts: repurchase rate over time, order intervals, cohort retention,
/// LTV by cohort and journey lift with its interval. Reports are cached (<see cref="ReportCache"/>) and say when they were computed.
/// </summary>
internal sealed class AnalyticsModel(IAnalyticsStore store, ReportCache reports, TimeProvider clock) : PageModel
{
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Within { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];
    public CachedReport<RepurchaseReport>? Repurchase { get; private set; }
    public CachedReport<AttributionReport>? Attribution { get; private set; }
    public AnalyticsCharts? Charts { get; private set; }

    public async Task OnGetAsync(string? from, string? to, string? within)
    {
        From = from;
        To = to;
        Within = within;
        // The default window ends at the coming midnight, so every request of a day shares one cached report.
        var now = clock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        FieldError?[] checks =
        [
            ReportParameters.Window(from, to, midnight, "", out var start, out var end),
            ReportParameters.Days(within, ReportParameters.DefaultRepurchaseDays, "within", out var days),
        ];
        Errors = checks.OfType<FieldError>().ToList();
        if (Errors.Count > 0) return;
        var key = string.Create(CultureInfo.InvariantCulture, $"{start:O}|{end:O}|{days}");
        Repurchase = await reports.GetAsync($"repurchase|{key}", ct => AnalyticsReports.RepurchaseAsync(store,
            new RepurchaseQuery(start, end, days, null, ReportParameters.NoTierGroup, clock.GetUtcNow()), ct));
        Attribution = await reports.GetAsync($"attribution|{start:O}|{end:O}", ct => AnalyticsReports.AttributionAsync(store,
            new AttributionQuery(start, end, ReportParameters.DefaultAttributionDays, null), ct));
        Charts = AnalyticsCharts.From(Repurchase.Report, Attribution.Report);
        From ??= start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        To ??= end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Within ??= days.ToString(CultureInfo.InvariantCulture);
    }
}
