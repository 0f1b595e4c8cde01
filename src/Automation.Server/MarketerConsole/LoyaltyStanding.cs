using System.Globalization;
using Automation.Core.Customers;
using Automation.Core.Messaging;
using Automation.Core.Points;
using Automation.Core.Tiers;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// A customer's points and tier as the console's customer page shows them: the balance with its money value
/// (<c>Points:Value</c>, in the shop's currency), the points that lapse next, and the progress towards the next tier
/// with the perks of the one held.
/// </summary>
internal sealed record LoyaltyStanding(long Points, string PointsValue, ExpiringPoints? Expiring, TierDefinition? Tier, NextTier? Next, string Currency)
{
    /// <summary>Reads the standing from the customer's snapshot and their order totals over the tier window (null without tiers).</summary>
    public static LoyaltyStanding Of(CustomerSnapshot customer, TierProgram? program, OrderTotals? totals, PointsSettings points, string currency, DateTimeOffset now)
    {
        var balance = customer.PointsBalance(now);
        var expiring = PointsExpiry.Next(customer.PointsLedger, now) is { } next
            ? new ExpiringPoints(next.Points, Money(next.Points * points.Value, currency), next.At)
            : null;
        var tier = program?.Find(customer.Tier?.Tier);
        return new LoyaltyStanding(balance, Money(balance * points.Value, currency), expiring, tier,
            program is not null && totals is { } window ? program.Next(tier, window) : null, currency);
    }

    /// <summary>An amount in the shop's currency, as messages write it.</summary>
    public static string Money(decimal amount, string currency) => LiquidFilters.FormatMoney(amount, currency, CultureInfo.InvariantCulture);

    /// <summary>
    /// What the next tier still needs, either figure enough: "¥200.00 more spend or 3 more orders"; the first tier, open
    /// to all who ordered, needs "a first order".
    /// </summary>
    public string? Remaining => Next is null ? null
        : Next.SpendNeeded is null && Next.OrdersNeeded is null ? "a first order"
        : string.Join(" or ", new[]
        {
            Next.SpendNeeded is { } spend ? $"{Money(spend, Currency)} more spend" : null,
            Next.OrdersNeeded is { } orders ? $"{orders} more order{(orders == 1 ? "" : "s")}" : null,
        }.Where(s => s is not null));

    /// <summary>The perks of the tier held, one phrase each; none without a tier or perks.</summary>
    public IReadOnlyList<string> Perks
    {
        get
        {
            if (Tier?.Perks is not { } perks) return [];
            var lines = new List<string>();
            if (perks.DiscountPercent > 0) lines.Add($"{perks.DiscountPercent.ToString("0.##", CultureInfo.InvariantCulture)} % off");
            if (perks.FreeShipping) lines.Add("free shipping");
            else if (perks.FreeShippingOver is { } over) lines.Add($"free shipping over {Money(over, Currency)}");
            if (perks.EarlyAccessHours > 0) lines.Add($"{perks.EarlyAccessHours} h early access to pre-sales");
            if (perks.BirthdayPointsMultiplier != 1m) lines.Add($"birthday points ×{perks.BirthdayPointsMultiplier.ToString("0.##", CultureInfo.InvariantCulture)}");
            if (perks.BirthdayGift) lines.Add("birthday gift");
            if (perks.DedicatedService) lines.Add("dedicated service");
            return lines;
        }
    }
}

/// <summary>The points that lapse next: how many, worth how much, and when.</summary>
internal sealed record ExpiringPoints(int Points, string Value, DateTimeOffset At);
