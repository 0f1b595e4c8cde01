using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Coupons;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// The coupon campaigns in force (rules/coupons/*.json): what each gives, when, to how many, and its figures — codes
/// issued and redeemed, revenue and cost, codes and budget left — with charts of codes issued and redemption rate.
/// The report is cheap (sums per campaign), so it is read on each visit, for all time unless a window is given.
/// </summary>
internal sealed class CouponsModel(CouponCatalog catalog, IAnalyticsStore store, IHostEnvironment environment) : PageModel
{
    public string? From { get; private set; }
    public string? To { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];
    public IReadOnlyList<JourneyProblem> FileProblems { get; private set; } = [];
    public IReadOnlyList<(CouponCampaign Campaign, CampaignResults Results)> InForce { get; private set; } = [];
    public IReadOnlyList<CampaignResults> FilesGone { get; private set; } = [];
    public CouponReport? Report { get; private set; }
    public IHtmlContent? IssuedChart { get; private set; }
    public IHtmlContent? RateChart { get; private set; }

    public async Task OnGetAsync(string? from, string? to, CancellationToken ct)
    {
        From = from;
        To = to;
        FileProblems = [.. catalog.Problems.Select(p => p with { File = Path.GetRelativePath(environment.ContentRootPath, p.File) })];
        if (ReportParameters.OpenWindow(from, to, "", out var start, out var end) is { } error)
        {
            Errors = [error];
            return;
        }
        var campaigns = catalog.Campaigns;
        Report = await AnalyticsReports.CouponsAsync(store, new CouponReportQuery(start, end), catalog, ct);
        InForce = [.. campaigns.Select(c => (c, Report.Campaigns.Single(r => r.Campaign == c.Name)))];
        FilesGone = [.. Report.Campaigns.Where(r => !r.InForce)];
        IssuedChart = BarChart.Render(new ChartCaption("coupons-issued", "Codes issued by campaign",
                "How many codes each campaign issued in the period, whether redeemed or not."),
            // Nothing issued draws no axis of zeros: the chart says there is no data instead.
            Report.Campaigns.Any(r => r.Issued > 0) ? [.. Report.Campaigns.Select(r => new Bar(r.Campaign, r.Issued))] : [], ValueFormat.Count, "Campaign", "Codes issued");
        RateChart = BarChart.Render(new ChartCaption("coupons-redemption-rate", "Redemption rate by campaign",
                "Share of the codes issued in the period that an order redeemed; a campaign that issued none has no bar."),
            [.. Report.Campaigns.Select(r => new Bar(r.Campaign, r.RedemptionRate))], ValueFormat.Percent, "Campaign", "Redeemed share");
    }

    /// <summary>A campaign's value for people: <c>10%</c>, <c>$20.00</c>.</summary>
    public static string Value(CouponCampaign c) => c.Value.Format(CultureInfo.GetCultureInfo("en-US"));

    /// <summary>When the campaign issues codes and how long they last.</summary>
    public static string Validity(CouponValidity v)
    {
        var parts = new List<string>();
        if (v.From is { } from) parts.Add($"issued from {Day(from)}");
        if (v.Until is { } until) parts.Add($"until {Day(until)}");
        if (v.DaysFromIssue is { } days) parts.Add($"each code good for {days} day(s)");
        return parts.Count == 0 ? "always; codes never expire" : string.Join(", ", parts);
    }

    public static string Codes(CouponCampaign c) => c.Generated is { } g
        ? $"generated, {g.Length} characters{(g.Prefix.Length > 0 ? $" after {g.Prefix}" : "")}"
        : "imported from the shop";

    public static string Count(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";

    public static string Money(decimal n) => n.ToString("N2", CultureInfo.InvariantCulture);

    public static string Rate(CampaignResults r) => r.RedemptionRate is { } rate && r.RedemptionInterval is { } i
        ? string.Create(CultureInfo.InvariantCulture, $"{rate:P1} (95% CI {i.Low:P1} to {i.High:P1})")
        : "—";

    private static string Day(DateTimeOffset t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
