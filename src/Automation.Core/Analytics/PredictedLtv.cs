namespace Automation.Core.Analytics;

/// <summary>
/// Predicted first-year value of a customer, from a constant repeat-order rate:
/// <c>value = averageOrderValue × (1 + repeatOrdersPerYear)</c>, where <c>repeatOrdersPerYear = 365 × repeat orders /
/// days of exposure</c>. Each customer is watched from their first order for 365 days or until the report's time,
/// whichever comes first, so young customers count for the days they had (the Poisson-rate estimate under right
/// censoring) instead of dragging the rate down. Deliberately simple: it ignores that customers drop out (BG/NBD
/// would model that), so it overstates a year for cohorts that churn fast, and it assumes order value does not
/// change with repeat orders.
/// </summary>
/// <param name="Customers">Customers whose first order is in the cohort.</param>
/// <param name="Orders">Their orders in their first 365 days (first orders included), up to the report's time.</param>
/// <param name="Revenue">Revenue of those orders.</param>
/// <param name="ExposureDays">Σ min(365, days from first order to the report's time).</param>
/// <param name="AverageOrderValue">Revenue / orders; null without orders.</param>
/// <param name="RepeatOrdersPerYear">Expected repeat orders in a customer's first year; null without exposure.</param>
/// <param name="Value">Predicted revenue per customer in their first year; null when either input is missing.</param>
public sealed record PredictedLtv(long Customers, long Orders, decimal Revenue, double ExposureDays,
    decimal? AverageOrderValue, double? RepeatOrdersPerYear, decimal? Value)
{
    /// <summary>How the prediction is made, for readers of the report.</summary>
    public const string Model = "first-year value = average order value × (1 + 365 × repeat orders / days of exposure), exposure capped at 365 days per customer";

    /// <summary>The prediction from a cohort's sums.</summary>
    public static PredictedLtv From(long customers, long orders, decimal revenue, double exposureDays)
    {
        decimal? aov = orders > 0 ? revenue / orders : null;
        double? repeats = exposureDays > 0 ? 365 * (orders - customers) / exposureDays : null;
        decimal? value = aov is { } a && repeats is { } r ? a * (1 + (decimal)r) : null;
        return new PredictedLtv(customers, orders, revenue, exposureDays, aov, repeats, value);
    }
}
