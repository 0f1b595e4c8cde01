namespace Automation.Core.Tiers;

/// <summary>
/// One membership tier. A customer qualifies when their spend or their order count over the rolling window reaches
/// either threshold given; a tier with neither is open to everyone who ordered (only the first may be so).
/// </summary>
/// <param name="Rank">0 for the lowest tier, rising in file order.</param>
/// <param name="Multiplier">Earned points are multiplied by this.</param>
/// <param name="Perks">What members get; rules read them as <c>customer.Perks</c>, templates as <c>tier.perks</c>.</param>
public sealed record TierDefinition(string Name, int Rank, decimal? MinSpend, int? MinOrders, decimal Multiplier, TierPerks Perks)
{
    /// <summary>True when this spend or order count over the window reaches a threshold.</summary>
    public bool QualifiesWith(decimal spend, int orders) =>
        (MinSpend is null && MinOrders is null) || spend >= MinSpend || orders >= MinOrders;
}

/// <summary>A band of monthly spend and the points each currency unit earns once the month's spend reaches it.</summary>
public sealed record SpendBand(decimal MinMonthlySpend, decimal PointsPerCurrencyUnit);

/// <summary>The next tier up and what the customer still needs over the window to reach it (either is enough; null: no such threshold).</summary>
public sealed record NextTier(TierDefinition Tier, decimal? SpendNeeded, int? OrdersNeeded);

/// <summary>rules/tiers.json, read and checked: the tiers in rising order, the rolling window, and optional spend bands.</summary>
public sealed class TierProgram(int windowDays, IReadOnlyList<TierDefinition> tiers, IReadOnlyList<SpendBand> bands)
{
    public int WindowDays { get; } = windowDays;

    /// <summary>Lowest first.</summary>
    public IReadOnlyList<TierDefinition> Tiers { get; } = tiers;

    /// <summary>Lowest first; empty when points are earned at the flat <c>Points:PerCurrencyUnit</c> rate.</summary>
    public IReadOnlyList<SpendBand> Bands { get; } = bands;

    /// <summary>The highest tier the spend and order count over the window reach, or null when none does.</summary>
    public TierDefinition? Qualified(decimal spend, int orders) => Tiers.LastOrDefault(t => t.QualifiesWith(spend, orders));

    /// <summary>The tier of this name, or null (a name no longer in the file, or none).</summary>
    public TierDefinition? Find(string? name) => name is null ? null : Tiers.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// The tier above <paramref name="held"/> (the first tier when none is held) and what the window's
    /// <paramref name="totals"/> still lack of its thresholds; null at the top. Either figure reached is enough.
    /// </summary>
    public NextTier? Next(TierDefinition? held, OrderTotals totals) =>
        Tiers.FirstOrDefault(t => t.Rank > (held?.Rank ?? -1)) is { } up
            ? new NextTier(up, up.MinSpend is { } spend ? Math.Max(0, spend - totals.Spend) : null, up.MinOrders is { } orders ? Math.Max(0, orders - totals.Orders) : null)
            : null;

    /// <summary>Points per currency unit for an order that brings the month's spend to <paramref name="monthSpend"/>; 0 below the lowest band.</summary>
    public decimal BandRate(decimal monthSpend) => Bands.LastOrDefault(b => monthSpend >= b.MinMonthlySpend)?.PointsPerCurrencyUnit ?? 0m;
}
