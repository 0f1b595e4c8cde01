using System.Xml.Linq;
using Automation.Core.Analytics;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Html;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The analytics page's charts drawn from the two reports.</summary>
public sealed class AnalyticsChartsTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RepurchaseQuery Repurchase = new(From, To, 90, null, "none", new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly AttributionQuery Attribution = new(From, To, 7, null);

    private static XElement Parse(IHtmlContent content)
    {
        using var writer = new StringWriter();
        content.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return XElement.Parse(writer.ToString());
    }

    private static List<string> Cells(XElement figure, int row) => [.. figure.Descendants("tr").ElementAt(row).Elements().Select(e => e.Value)];

    [Test]
    public void Each_chart_shows_its_report_figures()
    {
        var jan = 2026 * 12;
        var repurchase = RepurchaseReport.Build(Repurchase, new RepurchaseFigures(
            new GroupFigures("new", 6, 2, 1, 3, 10, 12, [1, 2, 0, 0, 0, 0, 0, 0]), [],
            [new CohortCell(jan, 0, 4, 100m), new CohortCell(jan, 2, 1, 30m), new CohortCell(jan + 1, 0, 2, 50m)],
            [new CohortLtvFigures(jan, 4, 5, 130m, 4 * 60), new CohortLtvFigures(jan + 1, 2, 2, 50m, 2 * 30)],
            [new CohortRepurchaseFigures(jan, 4, 2, 0), new CohortRepurchaseFigures(jan + 1, 2, 0, 1)]));
        var attribution = AttributionReport.Build(Attribution, [
            new AttributionFigures("win-back", "miss-you", "A", 70, 56, 1000m),
            new AttributionFigures("win-back", "miss-you", "holdout", 80, 48, 0m),
            new AttributionFigures("welcome", "thanks", null, 10, 1, 20m),
        ], []);

        var charts = AnalyticsCharts.From(repurchase, attribution);

        var rate = Parse(charts.RepurchaseRate);
        var wilson = Proportions.Wilson(2, 4);
        Cells(rate, 1).Should().Equal("2026-01", "50%", $"{ChartNumbers.Format(wilson.Low, ValueFormat.Percent)} to {ChartNumbers.Format(wilson.High, ValueFormat.Percent)}");
        Cells(rate, 2)[1].Should().Be("0%");
        Cells(Parse(charts.Intervals), 2).Should().Equal("7–14 days", "2");
        var retention = Parse(charts.Retention);
        Cells(retention, 0).Should().Equal("First-order month", "0", "1", "2");
        Cells(retention, 1).Should().Equal("2026-01", "100%", "0%", "25%");
        Cells(Parse(charts.LtvByCohort), 1).Should().Equal("2026-01", ChartNumbers.Format((double)repurchase.Cohorts[0].PredictedLtv.Value!.Value, ValueFormat.Number));
        var lift = Parse(charts.Attribution);
        Cells(lift, 1).Should().Equal("welcome / thanks", "–", "–", "no holdout to compare");
        Cells(lift, 2)[0..2].Should().Equal("win-back / miss-you / A", "+20.0 pp");
    }

    [Test]
    public void Empty_reports_give_five_charts_without_data()
    {
        var repurchase = RepurchaseReport.Build(Repurchase, new RepurchaseFigures(new GroupFigures("new", 0, 0, 0, 0, null, null, new long[IntervalBuckets.Count]), [], [], [], []));
        var charts = AnalyticsCharts.From(repurchase, AttributionReport.Build(Attribution, [], []));
        IHtmlContent[] all = [charts.RepurchaseRate, charts.Intervals, charts.Retention, charts.LtvByCohort, charts.Attribution];
        all.Select(c => Parse(c).Element("p")?.Value).Should().AllBe(ChartDocument.NoData);
    }
}
