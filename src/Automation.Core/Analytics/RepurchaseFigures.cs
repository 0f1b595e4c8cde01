namespace Automation.Core.Analytics;

/// <summary>The sums a repurchase report is made of, as the database computes them.</summary>
public sealed record RepurchaseFigures(GroupFigures Overall, IReadOnlyList<GroupFigures> Groups, IReadOnlyList<CohortCell> Cells, IReadOnlyList<CohortLtvFigures> Ltv,
    IReadOnlyList<CohortRepurchaseFigures> CohortRepurchases);

/// <summary>One group of anchored customers.</summary>
/// <param name="Customers">Customers with an anchor order (their first in the window).</param>
/// <param name="Repurchased">Those with another order within the window's days after the anchor.</param>
/// <param name="StillOpen">Those whose days after the anchor had not all passed at the report's time.</param>
/// <param name="Intervals">Gaps between consecutive orders whose earlier order is in the window.</param>
/// <param name="IntervalHistogram">Those gaps counted per bucket of <see cref="IntervalBuckets"/>, one count per bucket.</param>
public sealed record GroupFigures(string Name, long Customers, long Repurchased, long StillOpen, long Intervals, double? MedianIntervalDays, double? MeanIntervalDays,
    IReadOnlyList<long> IntervalHistogram);

/// <summary>New customers of one first-order month, counted as <see cref="GroupFigures"/> counts the new group.</summary>
/// <param name="Cohort">First-order month as year × 12 + month − 1 (UTC).</param>
public sealed record CohortRepurchaseFigures(int Cohort, long Customers, long Repurchased, long StillOpen);

/// <summary>Customers of a first-order month who ordered in a later month, and the revenue of those orders.</summary>
/// <param name="Cohort">First-order month as year × 12 + month − 1 (UTC).</param>
/// <param name="Age">Months since the first-order month.</param>
public sealed record CohortCell(int Cohort, int Age, long Customers, decimal Revenue);

/// <summary>The inputs of <see cref="PredictedLtv"/> for one first-order month.</summary>
public sealed record CohortLtvFigures(int Cohort, long Customers, long Orders, decimal Revenue, double ExposureDays);

/// <summary>Messages of one arm of a journey step and what they converted.</summary>
/// <param name="Variant">The A/B variant; null when the step has none; <c>holdout</c> for the control.</param>
/// <param name="Messages">Messages sent in the window (holdout: recorded in it).</param>
/// <param name="Conversions">Messages with at least one order attributed to them.</param>
/// <param name="Revenue">Revenue of the orders attributed to them.</param>
public sealed record AttributionFigures(string Journey, string Step, string? Variant, long Messages, long Conversions, decimal Revenue);
