namespace Automation.Core.Tiers;

/// <summary>The tier a customer holds, since when, and what the last review granted until its period ends.</summary>
/// <param name="ReviewTier">The tier the last review granted; no downgrade below it before <paramref name="ReviewUntil"/>.</param>
public sealed record TierStanding(string Tier, DateTimeOffset Since, string? ReviewTier, DateTimeOffset? ReviewUntil);

/// <summary>One change of tier. <c>Reason</c> is <c>order</c> (an upgrade at once) or <c>review</c>.</summary>
public sealed record TierChange(string From, string To, string Reason, DateTimeOffset ChangedAt);

/// <summary>Net spend (totals less refunds) and number of completed orders that were not fully refunded.</summary>
public readonly record struct OrderTotals(decimal Spend, int Orders);
