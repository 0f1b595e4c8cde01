using System.Text.Json.Nodes;

namespace Automation.Core.Tiers;

/// <summary>
/// What a tier gives its members, as typed values rules read as <c>customer.Perks</c> and templates as
/// <c>tier.perks</c>. In rules/tiers.json they are snake_case (<see cref="Names"/>); a perk a tier leaves out takes
/// the value of <see cref="None"/>, which is also what a customer without a tier has.
/// </summary>
public sealed record TierPerks
{
    /// <summary>The perks of no tier: no discount, no free shipping, no early access, birthday points ×1.</summary>
    public static readonly TierPerks None = new();

    /// <summary>Percent off the member's orders, 0–100 (the shop applies it).</summary>
    public decimal DiscountPercent { get; init; }

    /// <summary>Orders of at least this much ship free; 0 is every order, null none.</summary>
    public decimal? FreeShippingOver { get; init; }

    /// <summary>True when every order ships free (<see cref="FreeShippingOver"/> is 0).</summary>
    public bool FreeShipping => FreeShippingOver == 0;

    /// <summary>Hours before everyone else the member may buy a new collection or a pre-sale; 0 none.</summary>
    public int EarlyAccessHours { get; init; }

    /// <summary>Journey points awarded for the birthday are multiplied by this (AwardPoints with <c>TimesPerk</c>).</summary>
    public decimal BirthdayPointsMultiplier { get; init; } = 1m;

    /// <summary>A birthday gift (coupon or present) is the member's.</summary>
    public bool BirthdayGift { get; init; }

    /// <summary>A dedicated service line or personal shopper (专属客服).</summary>
    public bool DedicatedService { get; init; }

    public const string DiscountPercentName = "discount_percent";
    public const string FreeShippingOverName = "free_shipping_over";
    public const string EarlyAccessHoursName = "early_access_hours";
    public const string BirthdayPointsMultiplierName = "birthday_points_multiplier";
    public const string BirthdayGiftName = "birthday_gift";
    public const string DedicatedServiceName = "dedicated_service";

    /// <summary>The perk names a tiers file may use.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [DiscountPercentName, FreeShippingOverName, EarlyAccessHoursName, BirthdayPointsMultiplierName, BirthdayGiftName, DedicatedServiceName];

    /// <summary>The perks that are numbers, which an AwardPoints step can multiply its points by.</summary>
    public static IReadOnlyList<string> NumberNames { get; } = [DiscountPercentName, EarlyAccessHoursName, BirthdayPointsMultiplierName];

    /// <summary>The value of a number perk of <see cref="NumberNames"/>.</summary>
    public decimal Number(string name) => name switch
    {
        DiscountPercentName => DiscountPercent,
        EarlyAccessHoursName => EarlyAccessHours,
        BirthdayPointsMultiplierName => BirthdayPointsMultiplier,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a number perk"),
    };

    /// <summary>
    /// Every perk by its file name, plus <c>free_shipping</c>: what templates, the API and the Tier Changed event show.
    /// <c>free_shipping_over</c> is null when the tier ships nothing free.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        [DiscountPercentName] = DiscountPercent,
        [FreeShippingOverName] = FreeShippingOver,
        ["free_shipping"] = FreeShipping,
        [EarlyAccessHoursName] = EarlyAccessHours,
        [BirthdayPointsMultiplierName] = BirthdayPointsMultiplier,
        [BirthdayGiftName] = BirthdayGift,
        [DedicatedServiceName] = DedicatedService,
    };
}
