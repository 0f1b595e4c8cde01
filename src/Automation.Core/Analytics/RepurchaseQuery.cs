namespace Automation.Core.Analytics;

/// <summary>How the customers of a repurchase report are split into groups.</summary>
public enum RepurchaseSegment
{
    /// <summary>Only new customers: their first order ever is in the window.</summary>
    New,

    /// <summary>Only returning customers: they had ordered before the window and ordered in it.</summary>
    Returning,

    /// <summary>
    /// New and returning customers, one group per tier held when their window opened (just before their anchor order,
    /// from tier_history; the base tier without an earlier change). Not the current tier: that one is partly earned
    /// by the very repurchases being measured.
    /// </summary>
    Tier,

    /// <summary>New and returning customers, one group per current tag (a customer can be in several).</summary>
    Tag,

    /// <summary>
    /// Returning customers only, as <c>member</c> (held a tier above the base tier when their window opened) and
    /// <c>non-member</c>. New customers are left out: none can hold a tier before their first order, so including
    /// them would credit membership with the gap between new and returning customers.
    /// </summary>
    Member,
}

/// <summary>What a repurchase report covers. See docs/analytics.md for every definition.</summary>
/// <param name="From">Start of the window, inclusive.</param>
/// <param name="To">End of the window, exclusive.</param>
/// <param name="WithinDays">How many days after an order the next one counts as a repurchase.</param>
/// <param name="Segment">The grouping; null for new and returning side by side.</param>
/// <param name="BaseTier">The tier of a customer with no tier change before their anchor: the lowest tier of rules/tiers.json, or <c>none</c> without tiers.</param>
/// <param name="AsOf">The report's time: cohorts are followed up to it.</param>
public sealed record RepurchaseQuery(DateTimeOffset From, DateTimeOffset To, int WithinDays, RepurchaseSegment? Segment, string BaseTier, DateTimeOffset AsOf)
{
    /// <summary>Days over which predicted LTV and its exposure are measured.</summary>
    public const int LtvHorizonDays = 365;

    /// <summary>Anchors whose <see cref="WithinDays"/> had not all passed at <see cref="AsOf"/> began after this.</summary>
    public DateTimeOffset OpenSince => SaturatingCalendar.AddDays(AsOf, -WithinDays);
}

/// <summary>What an attribution report covers.</summary>
/// <param name="From">Start of the window on send time, inclusive.</param>
/// <param name="To">End of the window, exclusive.</param>
/// <param name="WithinDays">How many days after a message an order is attributed to it.</param>
/// <param name="Journey">Only this journey; null for all.</param>
public sealed record AttributionQuery(DateTimeOffset From, DateTimeOffset To, int WithinDays, string? Journey)
{
    /// <summary>Orders after this cannot be attributed to a message sent in the window.</summary>
    public DateTimeOffset OrdersUntil => SaturatingCalendar.AddDays(To, WithinDays);
}
