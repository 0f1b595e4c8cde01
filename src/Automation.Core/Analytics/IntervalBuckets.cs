using System.Globalization;

namespace Automation.Core.Analytics;

/// <summary>
/// The buckets of the distribution of days between consecutive orders: [0, 7), [7, 14), … [180, 365), 365 and more.
/// Fixed rather than fitted to the data so that two reports, or two groups, can be read side by side.
/// </summary>
public static class IntervalBuckets
{
    /// <summary>Upper bounds in days, exclusive, of every bucket but the last, which is open.</summary>
    public static readonly IReadOnlyList<int> UpperBoundsDays = [7, 14, 30, 60, 90, 180, 365];

    /// <summary>How many buckets there are.</summary>
    public static int Count => UpperBoundsDays.Count + 1;

    /// <summary>Bucket <paramref name="bucket"/> holding <paramref name="gaps"/> gaps.</summary>
    public static IntervalBucket Bucket(long gaps, int bucket)
    {
        var fromDays = bucket == 0 ? 0 : UpperBoundsDays[bucket - 1];
        int? toDays = bucket < UpperBoundsDays.Count ? UpperBoundsDays[bucket] : null;
        var label = toDays is { } to
            ? string.Create(CultureInfo.InvariantCulture, $"{fromDays}–{to} days")
            : string.Create(CultureInfo.InvariantCulture, $"{fromDays}+ days");
        return new IntervalBucket(label, fromDays, toDays, gaps);
    }
}

/// <summary>Gaps between orders of at least <paramref name="FromDays"/> days and under <paramref name="ToDays"/> (null: no upper bound).</summary>
public sealed record IntervalBucket(string Label, int FromDays, int? ToDays, long Gaps);
