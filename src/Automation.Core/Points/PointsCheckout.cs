namespace Automation.Core.Points;

/// <summary>What a checkout may spend, and the rule that decided it.</summary>
/// <param name="Points">Whole points that may be used now; 0 when the minimum is not reached.</param>
/// <param name="Value">What those points take off the order, in currency units.</param>
/// <param name="LimitedBy">The binding limit: <c>balance</c>, <c>share</c> (the order's share), <c>requested</c>, or <c>minimum</c> (nothing usable).</param>
public sealed record PointsAllowance(int Points, decimal Value, string LimitedBy);

/// <summary>
/// The checkout rules of <c>Points</c> settings: points are worth <see cref="PointsSettings.Value"/> each, pay at most
/// <see cref="PointsSettings.MaxOrderShare"/> of the order, are spent in whole points and only from
/// <see cref="PointsSettings.MinimumRedemption"/> up. The same rules quote and, under the customer's lock, commit.
/// </summary>
public static class PointsCheckout
{
    public static PointsAllowance Allow(PointsSettings settings, decimal orderTotal, long balance, int? requested)
    {
        // Whole points, rounded down: the share cap is never exceeded by a fraction of a point.
        var byShare = (long)Math.Floor(orderTotal * settings.MaxOrderShare / settings.Value);
        var (points, limit) = (balance, "balance");
        if (byShare < points) (points, limit) = (byShare, "share");
        if (requested is { } wanted && wanted < points) (points, limit) = (wanted, "requested");
        if (points < settings.MinimumRedemption) return new PointsAllowance(0, 0m, "minimum");
        var usable = (int)Math.Min(points, int.MaxValue);
        return new PointsAllowance(usable, usable * settings.Value, limit);
    }
}
