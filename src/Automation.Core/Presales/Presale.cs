using Automation.Core.Tiers;

namespace Automation.Core.Presales;

/// <summary>
/// One pre-sale of rules/presales.json: a collection that opens to everyone at <see cref="OpensAt"/> and to members of
/// tiers with early access that many hours before (优先购). A tier's hours come from its <c>early_access_hours</c> perk,
/// bounded by <see cref="MaxEarlyHours"/>, unless <see cref="TierHours"/> names the tier.
/// </summary>
/// <param name="Products">Product ids or SKUs the sale covers; null covers every product.</param>
/// <param name="OpensAt">When everyone may buy, with the offset the file gave it.</param>
/// <param name="EndsAt">When nobody may buy any more; null: the sale stays open.</param>
/// <param name="MaxEarlyHours">The most hours of early access any perk gives in this sale; null: the perks as they are.</param>
/// <param name="TierHours">Hours of early access set for a tier in this sale, replacing its perk (and the cap).</param>
/// <param name="AnnounceToEveryone">When the sale opens to everyone, announce it to every customer not announced before.</param>
/// <param name="AnnouncedByBroadcast">
/// <c>AnnounceBy: "broadcast"</c>: the announce job records no events for this sale, which a broadcast naming it
/// announces instead (tiers first), so customers are not told twice.
/// </param>
public sealed record Presale(
    string Name,
    string Title,
    string Description,
    IReadOnlyList<string>? Products,
    DateTimeOffset OpensAt,
    DateTimeOffset? EndsAt,
    int? MaxEarlyHours,
    IReadOnlyDictionary<string, int> TierHours,
    bool AnnounceToEveryone,
    bool AnnouncedByBroadcast = false)
{
    /// <summary>Whether the product id or SKU is part of the sale.</summary>
    public bool Covers(string product) => Products is null || Products.Contains(product, StringComparer.Ordinal);

    /// <summary>Hours before everyone a member of the tier may buy; 0 without a tier.</summary>
    public int EarlyHoursFor(TierDefinition? tier) =>
        tier is null ? 0
        : TierHours.TryGetValue(tier.Name, out var set) ? set
        : Math.Min(tier.Perks.EarlyAccessHours, MaxEarlyHours ?? int.MaxValue);

    /// <summary>When a member of the tier (or a customer without one) may buy.</summary>
    public DateTimeOffset OpensFor(TierDefinition? tier) => OpensAt.AddHours(-EarlyHoursFor(tier));

    /// <summary>True once the sale ended at <paramref name="now"/>.</summary>
    public bool EndedAt(DateTimeOffset now) => EndsAt <= now;

    /// <summary>Each tier of the program with its hours of early access and when the sale opens to it, lowest tier first.</summary>
    public IReadOnlyList<PresaleOpening> Openings(TierProgram? program) =>
        program is null ? [] : [.. program.Tiers.Select(t => new PresaleOpening(t, EarlyHoursFor(t), OpensFor(t)))];
}

/// <summary>When a pre-sale opens to the members of one tier.</summary>
public sealed record PresaleOpening(TierDefinition Tier, int EarlyHours, DateTimeOffset OpensAt);
