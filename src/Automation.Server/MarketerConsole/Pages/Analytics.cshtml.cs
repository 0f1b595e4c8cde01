using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Ingestion;
using Automation.Server.Analytics;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// The repurchase and attribution reports as charts: repurchase rate over time, order intervals, cohort retention,
/// LTV by cohort and journey lift with its interval; returning customers' share, points liability, and repurchase by tier at
/// the window's start and by membership. Reports are cached (<see cref="ReportCache"/>) and say when they were computed.
/// </summary>
internal sealed class AnalyticsModel(AnalyticsReportSet reports) : PageModel
{
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string? Within { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];
    public CachedReport<RepurchaseReport>? Repurchase { get; private set; }
    public CachedReport<AttributionReport>? Attribution { get; private set; }
    public AnalyticsCharts? Charts { get; private set; }
    public CachedReport<LoyaltyReport>? Loyalty { get; private set; }
    public LoyaltyCharts? LoyaltyCharts { get; private set; }

    public async Task OnGetAsync(string? from, string? to, string? within)
    {
        From = from;
        To = to;
        Within = within;
        FieldError?[] checks =
        [
            ReportParameters.Window(from, to, reports.DefaultEnd, "", out var start, out var end),
            ReportParameters.Days(within, ReportParameters.DefaultRepurchaseDays, "within", out var days),
        ];
        Errors = checks.OfType<FieldError>().ToList();
        if (Errors.Count > 0) return;
        var page = await reports.GetAsync(start, end, days);
        (Repurchase, Attribution, Loyalty) = (page.Repurchase, page.Attribution, page.Loyalty);
        Charts = AnalyticsCharts.From(Repurchase.Report, Attribution.Report);
        LoyaltyCharts = LoyaltyCharts.From(Loyalty.Report, page.ByTier.Report, page.ByMembership.Report);
        From ??= start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        To ??= end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Within ??= days.ToString(CultureInfo.InvariantCulture);
    }
}
