using Automation.Core.Analytics;

namespace Automation.Tests.Core.Analytics;

public sealed class ReportTests
{
    private static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Predicted_ltv_is_average_order_value_times_one_plus_yearly_repeats()
    {
        // 10 customers, 15 orders worth 600 in their first year, watched 1,825 days in all: 5 repeats / 1,825 days
        // = 1 repeat a year; 40 a order; 40 × (1 + 1) = 80.
        var ltv = PredictedLtv.From(10, 15, 600m, 1825);
        ltv.AverageOrderValue.Should().Be(40m);
        ltv.RepeatOrdersPerYear.Should().BeApproximately(1.0, 1e-12);
        ltv.Value.Should().BeApproximately(80m, 0.000001m);

        PredictedLtv.From(0, 0, 0m, 0).Value.Should().BeNull();
    }

    [Test]
    public void Cohorts_run_to_the_report_month_with_shares_and_cumulative_revenue_per_customer()
    {
        var jan = 2026 * 12;
        var query = new RepurchaseQuery(From, To, 90, null, "member", new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero));
        var figures = new RepurchaseFigures(
            new GroupFigures("new", 4, 1, 0, 1, 10, 10, [0, 1, 0, 0, 0, 0, 0, 0]), [],
            [new CohortCell(jan, 0, 4, 100m), new CohortCell(jan, 2, 1, 30m), new CohortCell(jan + 1, 0, 2, 50m), new CohortCell(jan, 5, 1, 99m)],
            [new CohortLtvFigures(jan, 4, 5, 130m, 4 * 60), new CohortLtvFigures(jan + 1, 2, 2, 50m, 2 * 30)],
            [new CohortRepurchaseFigures(jan, 4, 1, 0)]);

        var report = RepurchaseReport.Build(query, figures);

        report.Cohorts.Select(c => c.Month).Should().Equal("2026-01", "2026-02");
        report.Cohorts[0].Retention.Should().Equal(1.0, 0.0, 0.25);
        report.Cohorts[0].RevenuePerCustomer.Should().Equal(25m, 25m, 32.5m);
        report.Cohorts[1].Retention.Should().Equal(1.0, 0.0);
        report.Cohorts[1].RevenuePerCustomer.Should().Equal(25m, 25m);
        report.Cohorts.Select(c => (c.Repurchased, c.RepurchaseRate)).Should().Equal((1, 0.25), (0, 0.0));
        report.Overall.IntervalHistogram.Select(b => (b.Label, b.Gaps)).Should().Equal(
            ("0–7 days", 0), ("7–14 days", 1), ("14–30 days", 0), ("30–60 days", 0), ("60–90 days", 0), ("90–180 days", 0), ("180–365 days", 0), ("365+ days", 0));
        report.Overall.Rate.Should().Be(0.25);
        report.PredictedLtv.Customers.Should().Be(6);
        report.PredictedLtv.Orders.Should().Be(7);
        report.PredictedLtv.ExposureDays.Should().Be(300);
    }

    [Test]
    public void Lift_is_against_the_steps_holdout_and_null_without_one()
    {
        var query = new AttributionQuery(From, To, 7, null);
        var report = AttributionReport.Build(query, [
            new AttributionFigures("win-back", "miss-you", "A", 70, 56, 1000m),
            new AttributionFigures("win-back", "miss-you", "holdout", 80, 48, 0m),
            new AttributionFigures("welcome-series", "thank-you", null, 10, 1, 20m),
        ]);

        report.Steps.Select(s => s.Journey).Should().Equal("welcome-series", "win-back");
        report.Steps[0].Holdout.Should().BeNull();
        report.Steps[0].Variants.Single().Lift.Should().BeNull();
        var winBack = report.Steps[1];
        winBack.Holdout!.ConversionRate.Should().Be(0.6);
        var lift = winBack.Variants.Single().Lift!;
        lift.Difference.Should().BeApproximately(0.2, 1e-12);
        lift.Relative.Should().BeApproximately(0.2 / 0.6, 1e-12);
        lift.Low.Should().BeApproximately(0.0524, 0.00005);
        lift.High.Should().BeApproximately(0.3339, 0.00005);
    }
}
