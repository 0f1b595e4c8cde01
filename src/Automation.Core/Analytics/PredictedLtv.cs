namespace Automation.Core.Analytics;

/// <summary>
/// Predicted first-year value of a customer, in two steps.
/// <para>The naive projection, from a constant repeat-order rate: <c>averageOrderValue × (1 + repeatOrdersPerYear)</c>,
/// where <c>repeatOrdersPerYear = 365 × repeat orders / days of exposure</c>. Each customer is watched from their first
/// order for 365 days or until the report's time, whichever comes first (the Poisson-rate estimate under right
/// censoring). It ignores that customers drop out, so a young cohort, whose early burst of repeat orders is all it has
/// shown, is extrapolated as if the burst lasted all year: young cohorts project far above what full cohorts earned.</para>
/// <para>The value reported is therefore shrunk toward the observed cohorts (credibility weighting, empirical-Bayes
/// style): <c>weight × naive + (1 − weight) × prior</c>, where <c>weight = months observed / 12</c> (the share of the
/// first year the cohort's customers have had on average) and <c>prior</c> is the first-year revenue per customer of
/// the report's full cohorts, whose year has passed for every customer. A full cohort keeps its observed value; a
/// one-month cohort counts for a twelfth. Without a full cohort in the report there is nothing to shrink toward and
/// the naive projection stands (weight 1).</para>
/// </summary>
/// <param name="Customers">Customers whose first order is in the cohort.</param>
/// <param name="Orders">Their orders in their first 365 days (first orders included), up to the report's time.</param>
/// <param name="Revenue">Revenue of those orders.</param>
/// <param name="ExposureDays">Σ min(365, days from first order to the report's time).</param>
/// <param name="AverageOrderValue">Revenue / orders; null without orders.</param>
/// <param name="RepeatOrdersPerYear">Expected repeat orders in a customer's first year; null without exposure.</param>
/// <param name="NaiveValue">The constant-rate projection; null when either input is missing.</param>
/// <param name="MonthsObserved">12 × exposure / (customers × 365): how much of the first year has been seen.</param>
/// <param name="Weight">The naive projection's share of <see cref="Value"/>, from 0 to 1.</param>
/// <param name="Value">The projection reported: the naive one shrunk toward the full cohorts'.</param>
public sealed record PredictedLtv(long Customers, long Orders, decimal Revenue, double ExposureDays,
    decimal? AverageOrderValue, double? RepeatOrdersPerYear, decimal? NaiveValue, double MonthsObserved, double Weight, decimal? Value)
{
    /// <summary>How the prediction is made, for readers of the report.</summary>
    public const string Model = "naive = average order value × (1 + 365 × repeat orders / days of exposure), exposure capped at 365 days per customer; "
        + "reported = weight × naive + (1 − weight) × first-year revenue per customer of the full cohorts, weight = months observed / 12";

    /// <summary>A cohort counts as full, and serves as the prior, when its customers have this many months on average.</summary>
    public const double FullYearMonths = 12;

    /// <summary>Whether every customer of the cohort has had their whole first year.</summary>
    public bool IsFullYear => MonthsObserved >= FullYearMonths - 1e-9;

    /// <summary>The naive prediction from a cohort's sums, not yet shrunk (weight 1).</summary>
    public static PredictedLtv From(long customers, long orders, decimal revenue, double exposureDays)
    {
        decimal? aov = orders > 0 ? revenue / orders : null;
        double? repeats = exposureDays > 0 ? 365 * (orders - customers) / exposureDays : null;
        decimal? naive = aov is { } a && repeats is { } r ? a * (1 + (decimal)r) : null;
        var months = customers > 0 ? FullYearMonths * exposureDays / (customers * (double)RepurchaseQuery.LtvHorizonDays) : 0;
        return new PredictedLtv(customers, orders, revenue, exposureDays, aov, repeats, naive, months, 1, naive);
    }

    /// <summary>This prediction shrunk toward <paramref name="prior"/>; unchanged without a prior or a naive value.</summary>
    public PredictedLtv ShrunkToward(decimal? prior)
    {
        if (prior is not { } p || NaiveValue is not { } naive) return this;
        var weight = Math.Clamp(MonthsObserved / FullYearMonths, 0, 1);
        return this with { Weight = weight, Value = (decimal)weight * naive + (1 - (decimal)weight) * p };
    }
}

/// <summary>What young cohorts are shrunk toward, and how sure that is.</summary>
/// <param name="FullCohorts">Cohorts of the report whose first year has passed for every customer.</param>
/// <param name="Customers">Their customers.</param>
/// <param name="Value">Their first-year revenue per customer, pooled; null without full cohorts (then nothing is shrunk).</param>
/// <param name="Low">The lowest full cohort's value: with <see cref="High"/>, the spread of observed cohorts, a rough range for any cohort's year.</param>
/// <param name="High">The highest full cohort's value.</param>
public sealed record LtvPrior(int FullCohorts, long Customers, decimal? Value, decimal? Low, decimal? High)
{
    /// <summary>The prior of a report's cohort predictions, from its full cohorts.</summary>
    public static LtvPrior Of(IReadOnlyCollection<PredictedLtv> cohorts)
    {
        var full = cohorts.Where(c => c.IsFullYear && c.NaiveValue is not null).ToList();
        if (full.Count == 0) return new LtvPrior(0, 0, null, null, null);
        var customers = full.Sum(c => c.Customers);
        return new LtvPrior(full.Count, customers, full.Sum(c => c.Revenue) / customers, full.Min(c => c.NaiveValue), full.Max(c => c.NaiveValue));
    }
}
