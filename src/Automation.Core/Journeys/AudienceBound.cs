using System.Globalization;

namespace Automation.Core.Journeys;

/// <summary>
/// A necessary condition of an audience at one moment, in terms storage can select by: a customer outside the bound
/// cannot be in the audience, while one inside may or may not be. The scheduler asks storage for the customers inside
/// it and evaluates the audience only for them, so a daily scan over a million customers reads the few it may enter
/// instead of all of them. <see cref="Everyone"/> is the bound of whatever is not understood.
/// </summary>
public abstract record AudienceBound
{
    /// <summary>No condition: every customer may be in the audience.</summary>
    public static readonly AudienceBound Everyone = new EveryoneBound();

    /// <summary>Both conditions; a part that is <see cref="Everyone"/> drops out.</summary>
    public static AudienceBound And(AudienceBound left, AudienceBound right) =>
        left is EveryoneBound ? right : right is EveryoneBound ? left
        : new AllOf([.. (left as AllOf)?.Parts ?? [left], .. (right as AllOf)?.Parts ?? [right]]);

    /// <summary>Either condition; <see cref="Everyone"/> on either side makes the whole <see cref="Everyone"/>.</summary>
    public static AudienceBound Or(AudienceBound left, AudienceBound right) =>
        left is EveryoneBound || right is EveryoneBound ? Everyone
        : new AnyOf([.. (left as AnyOf)?.Parts ?? [left], .. (right as AnyOf)?.Parts ?? [right]]);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>See <see cref="Everyone"/>.</summary>
    public sealed record EveryoneBound : AudienceBound
    {
        public override string ToString() => "everyone";
    }

    /// <summary>Every part holds.</summary>
    public sealed record AllOf(IReadOnlyList<AudienceBound> Parts) : AudienceBound
    {
        public override string ToString() => "(" + string.Join(" and ", Parts) + ")";
    }

    /// <summary>At least one part holds.</summary>
    public sealed record AnyOf(IReadOnlyList<AudienceBound> Parts) : AudienceBound
    {
        public override string ToString() => "(" + string.Join(" or ", Parts) + ")";
    }

    /// <summary>The customer's stats count at least this many orders.</summary>
    public sealed record OrderCountAtLeast(int Count) : AudienceBound
    {
        public override string ToString() => $"orders >= {Count}";
    }

    /// <summary>The customer's last order was placed at or before this moment.</summary>
    public sealed record LastOrderAtOrBefore(DateTimeOffset At) : AudienceBound
    {
        public override string ToString() => $"last order <= {Time(At)}";
    }

    /// <summary>The customer holds points granted with an expiry after <paramref name="After"/> (and before <paramref name="Before"/> when given).</summary>
    public sealed record PointsExpiringBetween(DateTimeOffset After, DateTimeOffset? Before) : AudienceBound
    {
        public override string ToString() => $"points expiring {Between(After, Before)}";
    }

    /// <summary>
    /// The customer holds an unredeemed coupon code expiring after <paramref name="After"/> (and before
    /// <paramref name="Before"/>, issued at or before <paramref name="IssuedBy"/>, when given).
    /// </summary>
    public sealed record CouponExpiringBetween(DateTimeOffset After, DateTimeOffset? Before, DateTimeOffset? IssuedBy = null) : AudienceBound
    {
        public override string ToString() => $"coupon expiring {Between(After, Before)}" + (IssuedBy is { } by ? $" issued <= {Time(by)}" : "");
    }

    private static string Between(DateTimeOffset after, DateTimeOffset? before) =>
        before is { } b ? $"between {Time(after)} and {Time(b)}" : $"> {Time(after)}";

    /// <summary>The customer's birthday falls on one of these days of the year (<c>MM-dd</c>).</summary>
    public sealed record BirthdayOn(IReadOnlyList<string> MonthDays) : AudienceBound
    {
        public override string ToString() => $"birthday on {string.Join(", ", MonthDays)}";
    }

    /// <summary>
    /// The journey instance entered at or before this moment: a bound of a step or an exit, read by the scheduler when it
    /// selects the instances with something to do. An audience has no instance yet, and selects everyone by it.
    /// </summary>
    public sealed record EnteredAtOrBefore(DateTimeOffset At) : AudienceBound
    {
        public override string ToString() => $"entered <= {Time(At)}";
    }

    /// <summary>The customer holds a tier.</summary>
    public sealed record InTier : AudienceBound
    {
        public override string ToString() => "in a tier";
    }
}
