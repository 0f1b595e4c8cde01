using System.Globalization;
using Automation.Core.Analytics;
using Microsoft.AspNetCore.Html;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>The five charts of the analytics page, each ready to write with <c>@</c> in a Razor page.</summary>
/// <param name="RepurchaseRate">Repurchase rate of new customers per first-order month, with its 95 % interval.</param>
/// <param name="Intervals">Days between consecutive orders of new customers, per bucket.</param>
/// <param name="Retention">Cohort retention: first-order month × months since.</param>
/// <param name="LtvByCohort">Predicted first-year value per customer of each first-order month.</param>
/// <param name="Attribution">Lift of each journey step and variant over its holdout, with its 95 % interval.</param>
public sealed record AnalyticsCharts(IHtmlContent RepurchaseRate, IHtmlContent Intervals, IHtmlContent Retention, IHtmlContent LtvByCohort, IHtmlContent Attribution)
{
    /// <summary>The charts of the two reports; see docs/analytics.md for what each figure means.</summary>
    public static AnalyticsCharts From(RepurchaseReport repurchase, AttributionReport attribution) => new(
        RepurchaseRateChart(repurchase), IntervalsChart(repurchase), RetentionChart(repurchase), LtvChart(repurchase), AttributionChart(attribution));

    private static IHtmlContent RepurchaseRateChart(RepurchaseReport r)
    {
        var caption = new ChartCaption("repurchase-rate", "Repurchase rate by first-order month",
            Invariant($"Share of each month's new customers who ordered again within {r.WithinDays} days of their first order, with its 95% interval (Wilson). Months with customers still inside their {r.WithinDays} days may still rise."));
        var points = r.Cohorts.Select(c =>
        {
            var interval = Proportions.Wilson(c.Repurchased, c.Customers);
            return new LinePoint(c.RepurchaseRate, interval.Low, interval.High);
        }).ToList();
        return LineChart.Render(caption, [.. r.Cohorts.Select(c => c.Month)], [new LineSeries("New customers", points)], ValueFormat.Percent, "First-order month");
    }

    private static IHtmlContent IntervalsChart(RepurchaseReport r) => BarChart.Render(
        new ChartCaption("order-intervals", "Time between orders",
            Invariant($"How many gaps between consecutive orders of new customers fall in each range of days; {r.Overall.Intervals} gaps, median {ChartNumbers.Format(r.Overall.MedianIntervalDays, ValueFormat.Number)} days.")),
        r.Overall.Intervals == 0 ? [] : [.. r.Overall.IntervalHistogram.Select(b => new Bar(b.Label, b.Gaps))], ValueFormat.Count, "Days between orders", "Gaps");

    private static IHtmlContent RetentionChart(RepurchaseReport r)
    {
        var months = r.Cohorts.Select(c => c.Retention.Count).DefaultIfEmpty(0).Max();
        return Heatmap.Render(
            new ChartCaption("cohort-retention", "Cohort retention",
                "Share of each first-order month's customers who ordered in each later month; month 0 is the first order."),
            [.. Enumerable.Range(0, months).Select(k => k.ToString(CultureInfo.InvariantCulture))],
            [.. r.Cohorts.Select(c => new HeatmapRow(c.Month, [.. c.Retention.Select(v => (double?)v)]))], "First-order month");
    }

    private static IHtmlContent LtvChart(RepurchaseReport r) => BarChart.Render(
        new ChartCaption("ltv-by-cohort", "Predicted first-year value by first-order month",
            $"Predicted revenue per new customer in their first year, per first-order month. Model: {r.LtvModel}."),
        [.. r.Cohorts.Select(c => new Bar(c.Month, (double?)c.PredictedLtv.Value))], ValueFormat.Number, "First-order month", "Predicted value per customer");

    private static IHtmlContent AttributionChart(AttributionReport a) => IntervalPlot.Render(
        new ChartCaption("journey-lift", "Journey lift over holdout",
            Invariant($"Conversion rate of each journey step and variant minus its holdout's, in percentage points, with the 95% interval (Newcombe); orders within {a.WithinDays} days of a message, last touch. An interval that crosses zero shows no clear effect.")),
        [.. a.Steps.SelectMany(s => s.Variants.Select(v => new IntervalRow(
            v.Variant is null ? $"{s.Journey} / {s.Step}" : $"{s.Journey} / {s.Step} / {v.Variant}",
            v.Lift?.Difference, v.Lift?.Low, v.Lift?.High, v.Lift is null ? "no holdout to compare" : null)))],
        ValueFormat.PercentagePoints, "Journey / step / variant");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
