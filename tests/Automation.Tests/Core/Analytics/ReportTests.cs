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
        ltv.NaiveValue.Should().Be(ltv.Value, "not shrunk until a report has full cohorts to shrink toward");
        // 1,825 days over 10 customers is half a year each: 12 × 1,825 / (10 × 365) = 6 months.
        ltv.MonthsObserved.Should().BeApproximately(6, 1e-12);

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
    public void A_young_cohort_is_shrunk_toward_the_full_cohorts_by_months_observed_and_a_full_cohort_is_unchanged()
    {
        var january2025 = 2025 * 12;
        var june2026 = 2026 * 12 + 5;
        var query = new RepurchaseQuery(new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero), 90, null, "member",
            new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero));
        var figures = new RepurchaseFigures(new GroupFigures("new", 14, 0, 0, 0, null, null, new long[IntervalBuckets.Count]), [], [],
        [
            // Full: 10 customers, each watched 365 days; 15 orders worth 3,640. Naive: 242.67 × (1 + 365 × 5 / 3,650)
            // = 242.67 × 1.5 = 364, which for a full cohort is simply its revenue per customer, 3,640 / 10.
            new CohortLtvFigures(january2025, 10, 15, 3640m, 3650),
            // One month old: 4 customers watched 365 / 12 days each; 6 orders worth 400. Naive: 66.67 × (1 + 365 × 2 /
            // 121.67) = 66.67 × 7 = 466.67, the early burst extrapolated over a year. Weight 1 / 12:
            // 466.67 / 12 + 364 × 11 / 12 = 38.89 + 333.67 = 372.56.
            new CohortLtvFigures(june2026, 4, 6, 400m, 4 * 365.0 / 12),
        ], []);

        var report = RepurchaseReport.Build(query, figures);

        report.LtvPrior.Should().BeEquivalentTo(new LtvPrior(1, 10, 364m, 364m, 364m), o => o.Using<decimal>(d => d.Subject.Should().BeApproximately(d.Expectation, 0.0001m)).WhenTypeIs<decimal>());
        var full = report.Cohorts[0].PredictedLtv;
        full.Weight.Should().Be(1);
        full.Value.Should().Be(full.NaiveValue);
        full.Value.Should().BeApproximately(364m, 0.0001m);
        var young = report.Cohorts[1].PredictedLtv;
        young.MonthsObserved.Should().BeApproximately(1, 1e-9);
        young.NaiveValue.Should().BeApproximately(466.6667m, 0.0001m);
        young.Weight.Should().BeApproximately(1.0 / 12, 1e-9);
        young.Value.Should().BeApproximately(372.5556m, 0.0001m);
        young.Value.Should().BeGreaterThan(364m).And.BeLessThan(young.NaiveValue!.Value);
        // The window's value: customers' mean of the cohorts' values, (10 × 364 + 4 × 372.56) / 14 = 366.44.
        report.PredictedLtv.Value.Should().BeApproximately(366.4444m, 0.0001m);
    }

    [Test]
    public void Without_a_full_cohort_the_naive_projection_stands()
    {
        var query = new RepurchaseQuery(From, To, 90, null, "member", new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero));
        var report = RepurchaseReport.Build(query, new RepurchaseFigures(new GroupFigures("new", 4, 0, 0, 0, null, null, new long[IntervalBuckets.Count]), [], [],
            [new CohortLtvFigures(2026 * 12, 4, 6, 400m, 4 * 365.0 / 12)], []));

        report.LtvPrior.FullCohorts.Should().Be(0);
        report.Cohorts[0].PredictedLtv.Weight.Should().Be(1);
        report.Cohorts[0].PredictedLtv.Value.Should().Be(report.Cohorts[0].PredictedLtv.NaiveValue);
    }

    [Test]
    public void Loyalty_shares_liability_and_redemption_rates_come_from_the_sums()
    {
        var query = new LoyaltyQuery(From, To, new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        // The worked example of LoyaltyStoreTests: 9 orders (6 returning), 590 revenue (280 returning), 350 points
        // outstanding, 350 earned, 30 redeemed, 40 expired, 2 of 4 members have redeemed; a point is worth 0.01.
        var report = LoyaltyReport.Build(query, new LoyaltyFigures(9, 6, 590m, 280m, 350, 350, 30, 40, 4, 2), 0.01m, 0.5);

        report.Returning.OrderShare.Should().BeApproximately(6.0 / 9, 1e-12);
        report.Returning.RevenueShare.Should().BeApproximately(280.0 / 590, 1e-12);
        report.Returning.Target.Should().Be(0.5);
        report.Points.At.Should().Be(To, "the period ended before the report's time");
        report.Points.Liability.Should().Be(3.50m);
        report.Points.RedemptionRate.Should().BeApproximately(30.0 / 350, 1e-12);
        report.Points.RedeemerShare.Should().Be(0.5);

        var empty = LoyaltyReport.Build(query, new LoyaltyFigures(0, 0, 0m, 0m, 0, 0, 0, 0, 0, 0), 0.01m, null);
        (empty.Returning.OrderShare, empty.Returning.RevenueShare, empty.Points.RedemptionRate, empty.Points.RedeemerShare, empty.Returning.Target)
            .Should().Be(((double?)null, (double?)null, (double?)null, (double?)null, (double?)null));
    }

    [Test]
    public void Lift_is_against_the_steps_holdout_and_null_without_one()
    {
        var query = new AttributionQuery(From, To, 7, null);
        var report = AttributionReport.Build(query, [
            new AttributionFigures("win-back", "miss-you", "A", 70, 56, 1000m),
            new AttributionFigures("win-back", "miss-you", "holdout", 80, 48, 0m),
            new AttributionFigures("welcome-series", "thank-you", null, 10, 1, 20m),
        ], []);

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

    [Test]
    public void Email_rates_are_over_the_emails_that_carried_tracking_and_off_rather_than_zero_without_it()
    {
        var report = AttributionReport.Build(new AttributionQuery(From, To, 7, null), [
            new AttributionFigures("win-back", "miss-you", "A", 100, 5, 100m),
            new AttributionFigures("win-back", "miss-you", "B", 40, 2, 40m),
            new AttributionFigures("win-back", "miss-you", "holdout", 20, 1, 0m),
            new AttributionFigures("win-back", "sms-nudge", null, 30, 1, 10m),
        ], [
            new EmailEngagementFigures("win-back", "miss-you", "A", 100, 100, 25, 100, 10),
            new EmailEngagementFigures("win-back", "miss-you", "B", 40, 0, 0, 0, 0),
        ]);

        var variants = report.Steps.Single(s => s.Step == "miss-you").Variants;
        variants[0].Email.Should().BeEquivalentTo(new EmailEngagement(100, EmailEngagement.On, 100, 25, 0.25, EmailEngagement.On, 100, 10, 0.1, 0.4));
        var untracked = variants[1].Email!;
        untracked.Sent.Should().Be(40);
        (untracked.OpenTracking, untracked.OpenRate, untracked.ClickTracking, untracked.ClickRate, untracked.ClickToOpenRate)
            .Should().Be((EmailEngagement.Off, (double?)null, EmailEngagement.Off, (double?)null, (double?)null), "no email carried tracking: unknown, not 0 %");
        report.Steps.Single(s => s.Step == "sms-nudge").Variants.Single().Email.Should().BeNull("the step sent no email");

        var partial = EmailEngagement.From(sent: 10, withPixel: 4, opened: 2, withLinks: 0, clicked: 0);
        (partial.OpenTracking, partial.OpenRate, partial.ClickTracking, partial.ClickToOpenRate)
            .Should().Be((EmailEngagement.Partial, (double?)0.5, EmailEngagement.Off, (double?)null), "tracking was on for 4 of the 10 emails: the rate is over those 4");
    }
}
