using Automation.Core.Journeys;

namespace Automation.Core.Rewards;

/// <summary>What an item of the rewards catalog gives.</summary>
public enum RewardKind
{
    /// <summary>A coupon issued from a campaign of rules/coupons/.</summary>
    Coupon,

    /// <summary>A physical gift the shop ships.</summary>
    Gift,

    /// <summary>A donation to a charity in the customer's name: nothing to ship.</summary>
    Donation,
}

/// <summary>The words reward files, storage and the API use for a <see cref="RewardKind"/>.</summary>
public static class RewardKinds
{
    public static string Text(RewardKind kind) => kind switch
    {
        RewardKind.Coupon => "coupon",
        RewardKind.Gift => "gift",
        _ => "donation",
    };

    /// <summary>The kind a word names, or null.</summary>
    public static RewardKind? Parse(string? text) => text switch
    {
        "coupon" => RewardKind.Coupon,
        "gift" => RewardKind.Gift,
        "donation" => RewardKind.Donation,
        _ => null,
    };
}

/// <summary>How often a customer's limit of an item starts again.</summary>
public enum RewardLimitPeriod
{
    /// <summary>Never: the limit is over the customer's life.</summary>
    Ever,
    Month,
    Year,
}

/// <summary>One item of the rewards catalog (积分商城), read from rules/rewards.json.</summary>
/// <param name="Name">Unique; the API and the redemptions name the item by it.</param>
/// <param name="Points">What the item costs.</param>
/// <param name="Value">What the item is worth in currency units, for reports and templates (a coupon's amount, a donation's sum).</param>
/// <param name="Stock">How many can be redeemed over the item's life; null for unlimited.</param>
/// <param name="Tiers">The tiers whose holders may redeem it; empty for every customer.</param>
/// <param name="PerCustomer">How many one customer may redeem per <paramref name="Period"/>; null for no limit.</param>
/// <param name="Campaign">The coupon campaign of a coupon item.</param>
/// <param name="Charity">Who receives a donation item's sum.</param>
public sealed record RewardItem(string Name, string Title, RewardKind Kind, int Points, decimal Value, int? Stock, IReadOnlyList<string> Tiers,
    int? PerCustomer, RewardLimitPeriod Period, bool Enabled, string? Campaign, string? Charity)
{
    /// <summary>Whether a holder of <paramref name="tier"/> (null: none) may redeem it.</summary>
    public bool Admits(string? tier) => Tiers.Count == 0 || (tier is not null && Tiers.Contains(tier, StringComparer.Ordinal));

    /// <summary>The period the per-customer limit counts at <paramref name="now"/> (UTC): "ever", "2026-12" or "2026".</summary>
    public string PeriodAt(DateTimeOffset now) => Period switch
    {
        RewardLimitPeriod.Month => now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
        RewardLimitPeriod.Year => now.UtcDateTime.ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture),
        _ => "ever",
    };
}

/// <summary>The rewards catalog in force, from rules/rewards.json.</summary>
public sealed record RewardProgram(string Description, IReadOnlyList<RewardItem> Items, string File)
{
    public RewardItem? Find(string name) => Items.FirstOrDefault(i => i.Name == name);
}

/// <summary>
/// The rewards catalog of rules/rewards.json, checked against the coupon campaigns and tiers in force: a bad file is
/// reported and the last good version keeps taking redemptions; without the file there is no catalog.
/// </summary>
public sealed class RewardCatalog(Coupons.CouponCatalog coupons, Tiers.TierCatalog tiers) : LastGoodFile<RewardProgram>
{
    public RewardProgram? Program => Current;

    /// <summary>The item of this name in the catalog in force, or null.</summary>
    public RewardItem? Find(string name) => Current?.Find(name);

    protected override (RewardProgram? Value, IReadOnlyList<JourneyProblem> Problems) Read(string file, byte[] utf8) =>
        RewardFileReader.Read(file, utf8, name => coupons.Find(name) is not null, tiers.Program?.Tiers.Select(t => t.Name).ToList());
}
