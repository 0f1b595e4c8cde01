namespace Automation.Core.Draws;

/// <summary>What a prize of a draw gives.</summary>
public enum PrizeKind
{
    /// <summary>A coupon issued from a campaign of rules/coupons/.</summary>
    Coupon,

    /// <summary>Points credited to the customer's ledger.</summary>
    Points,

    /// <summary>Nothing: the entry is spent and the customer is told so.</summary>
    Nothing,
}

/// <summary>The words draw files, storage and the API use for a <see cref="PrizeKind"/>.</summary>
public static class PrizeKinds
{
    public static string Text(PrizeKind kind) => kind switch
    {
        PrizeKind.Coupon => "coupon",
        PrizeKind.Points => "points",
        _ => "nothing",
    };

    /// <summary>The kind a word names, or null.</summary>
    public static PrizeKind? Parse(string? text) => text switch
    {
        "coupon" => PrizeKind.Coupon,
        "points" => PrizeKind.Points,
        "nothing" => PrizeKind.Nothing,
        _ => null,
    };
}

/// <summary>One prize of a draw.</summary>
/// <param name="Name">Unique within the draw; stock, reports and audit rows name the prize by it.</param>
/// <param name="Weight">The prize's share of the pick: weight over the sum of the weights of the prizes in stock.</param>
/// <param name="Stock">How many can be given over the draw's life; null for unlimited (only a "nothing" prize).</param>
/// <param name="Campaign">The coupon campaign of a coupon prize.</param>
/// <param name="Points">The points a points prize credits.</param>
public sealed record DrawPrize(string Name, PrizeKind Kind, int Weight, int? Stock, string? Campaign, int Points);

/// <summary>
/// A points lucky draw, read from <c>rules/draws/&lt;name&gt;.json</c>: a customer spends <see cref="EntryCost"/>
/// points and wins one of the prizes, picked by weight among those still in stock.
/// </summary>
/// <param name="DailyLimit">Entries per customer per local day (their time zone); null for no limit.</param>
/// <param name="From">The draw opens at this instant; null for open since ever.</param>
/// <param name="Until">The draw closes at this instant (exclusive); null for never.</param>
/// <param name="EligibleTiers">The tiers whose holders may enter; empty for every customer.</param>
public sealed record Draw(string Name, string Description, int EntryCost, IReadOnlyList<DrawPrize> Prizes, int? DailyLimit,
    DateTimeOffset? From, DateTimeOffset? Until, IReadOnlyList<string> EligibleTiers, string File)
{
    /// <summary>Whether the draw takes entries at <paramref name="now"/>.</summary>
    public bool IsOpenAt(DateTimeOffset now) => (From is null || now >= From) && (Until is null || now < Until);

    /// <summary>Whether a holder of <paramref name="tier"/> (null: none) may enter.</summary>
    public bool Admits(string? tier) => EligibleTiers.Count == 0 || (tier is not null && EligibleTiers.Contains(tier, StringComparer.Ordinal));

    public DrawPrize? Prize(string name) => Prizes.FirstOrDefault(p => p.Name == name);
}
