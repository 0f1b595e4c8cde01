using System.Globalization;

namespace Automation.Core.Analytics;

/// <summary>Repurchase rates, order intervals, cohort retention and LTV; see docs/analytics.md.</summary>
/// <param name="Segment">The grouping asked for (<c>new</c>, <c>returning</c>, <c>tier</c>, <c>tag</c>), null for new and returning side by side.</param>
/// <param name="Overall">New customers: the headline repurchase rate.</param>
/// <param name="PredictedLtv">All the window's new customers: sums pooled, value the customer-weighted mean of the cohorts' shrunk values.</param>
/// <param name="LtvPrior">The full cohorts young cohorts' predictions are shrunk toward, with their spread.</param>
public sealed record RepurchaseReport(DateTimeOffset From, DateTimeOffset To, int WithinDays, string? Segment, DateTimeOffset AsOf,
    RepurchaseGroup Overall, IReadOnlyList<RepurchaseGroup> Groups, IReadOnlyList<CohortRow> Cohorts, PredictedLtv PredictedLtv, LtvPrior LtvPrior, string LtvModel)
{
    /// <summary>Rates, retention shares and cumulative revenue from the database's sums.</summary>
    public static RepurchaseReport Build(RepurchaseQuery query, RepurchaseFigures figures)
    {
        var asOfMonth = MonthIndex(query.AsOf);
        var cells = figures.Cells.ToLookup(c => c.Cohort);
        var repurchases = figures.CohortRepurchases.ToDictionary(r => r.Cohort);
        var naive = figures.Ltv.ToDictionary(l => l.Cohort, l => PredictedLtv.From(l.Customers, l.Orders, l.Revenue, l.ExposureDays));
        var prior = LtvPrior.Of(naive.Values);
        var cohorts = figures.Ltv.OrderBy(l => l.Cohort).Select(l =>
        {
            // The triangle ends at the report's month; later cells would be orders stamped in the future.
            var ages = Math.Max(0, asOfMonth - l.Cohort) + 1;
            var retention = new double[ages];
            var revenue = new decimal[ages];
            foreach (var cell in cells[l.Cohort].Where(c => c.Age < ages))
            {
                retention[cell.Age] = (double)cell.Customers / l.Customers;
                revenue[cell.Age] = cell.Revenue;
            }
            var cumulative = 0m;
            for (var age = 0; age < ages; age++)
            {
                cumulative += revenue[age];
                revenue[age] = cumulative / l.Customers;
            }
            var again = repurchases.GetValueOrDefault(l.Cohort);
            return new CohortRow(MonthName(l.Cohort), l.Customers, again?.Repurchased ?? 0, (double)(again?.Repurchased ?? 0) / l.Customers, again?.StillOpen ?? 0,
                retention, revenue, naive[l.Cohort].ShrunkToward(prior.Value));
        }).ToList();
        return new RepurchaseReport(query.From, query.To, query.WithinDays, query.Segment?.ToString().ToLowerInvariant(), query.AsOf,
            RepurchaseGroup.From(figures.Overall), figures.Groups.Select(RepurchaseGroup.From).ToList(), cohorts, Pooled(figures.Ltv, cohorts), prior, PredictedLtv.Model);
    }

    // The window's sums as one naive prediction, reported at the cohorts' shrunk values weighted by their customers.
    private static PredictedLtv Pooled(IReadOnlyList<CohortLtvFigures> ltv, IReadOnlyList<CohortRow> cohorts)
    {
        var pooled = PredictedLtv.From(ltv.Sum(l => l.Customers), ltv.Sum(l => l.Orders), ltv.Sum(l => l.Revenue), ltv.Sum(l => l.ExposureDays));
        var valued = cohorts.Where(c => c.PredictedLtv.Value is not null).ToList();
        var customers = valued.Sum(c => c.Customers);
        if (customers == 0) return pooled;
        return pooled with
        {
            Weight = valued.Sum(c => c.Customers * c.PredictedLtv.Weight) / customers,
            Value = valued.Sum(c => c.Customers * c.PredictedLtv.Value!.Value) / customers,
        };
    }

    /// <summary>A month as year × 12 + month − 1, in UTC, as the SQL computes it.</summary>
    public static int MonthIndex(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return utc.Year * 12 + utc.Month - 1;
    }

    /// <summary><c>yyyy-MM</c> of a month index.</summary>
    public static string MonthName(int monthIndex) =>
        string.Create(CultureInfo.InvariantCulture, $"{monthIndex / 12:D4}-{monthIndex % 12 + 1:D2}");
}

/// <summary>One group's repurchase rate and order intervals.</summary>
/// <param name="Rate">Repurchased / customers; null for an empty group.</param>
/// <param name="StillOpen">Customers whose days to repurchase had not all passed yet: the rate may still rise with them.</param>
/// <param name="Intervals">How many gaps between consecutive orders the median and mean are over.</param>
/// <param name="IntervalHistogram">Those gaps per bucket of <see cref="IntervalBuckets"/>, every bucket listed.</param>
public sealed record RepurchaseGroup(string Name, long Customers, long Repurchased, double? Rate, long StillOpen, long Intervals, double? MedianIntervalDays, double? MeanIntervalDays,
    IReadOnlyList<IntervalBucket> IntervalHistogram)
{
    /// <summary>The group with its rate.</summary>
    public static RepurchaseGroup From(GroupFigures g) =>
        new(g.Name, g.Customers, g.Repurchased, g.Customers > 0 ? (double)g.Repurchased / g.Customers : null, g.StillOpen, g.Intervals, g.MedianIntervalDays, g.MeanIntervalDays,
            [.. g.IntervalHistogram.Select(IntervalBuckets.Bucket)]);
}

/// <summary>A first-order month followed month by month up to the report's time.</summary>
/// <param name="Month">The first-order month, <c>yyyy-MM</c> (UTC).</param>
/// <param name="Repurchased">Customers of the cohort with another order within the report's days of their first.</param>
/// <param name="RepurchaseRate">Repurchased / customers: the headline rate of this month's new customers.</param>
/// <param name="StillOpen">Customers of the cohort whose days to repurchase had not all passed at the report's time.</param>
/// <param name="Retention">Index k: share of the cohort who ordered in month k after their first (k = 0 is 1).</param>
/// <param name="RevenuePerCustomer">Index k: revenue per cohort customer from months 0..k (cumulative, historical LTV).</param>
/// <param name="PredictedLtv">The cohort's first-year value, shrunk toward the full cohorts by months observed.</param>
public sealed record CohortRow(string Month, long Customers, long Repurchased, double RepurchaseRate, long StillOpen, IReadOnlyList<double> Retention, IReadOnlyList<decimal> RevenuePerCustomer, PredictedLtv PredictedLtv);
