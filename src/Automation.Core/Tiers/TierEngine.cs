using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Tiers;

/// <summary>
/// Moves customers between the tiers of rules/tiers.json, inside the caller's transaction: up at once when an order
/// reaches a higher tier over the rolling window, down only at the periodic review — and never below what the last
/// review granted before its period ends. Each change is kept in the history and recorded as a <c>Tier Changed</c>
/// event (properties <c>from</c>, <c>to</c>, <c>rank</c>, <c>direction</c> up/down, <c>reason</c> order/review,
/// <c>multiplier</c>, <c>perks</c>) that journeys can trigger on.
/// </summary>
public sealed class TierEngine(TierCatalog catalog)
{
    public const string TierChanged = "Tier Changed";
    public const string ByOrder = "order";
    public const string ByReview = "review";

    public TierProgram? Program => catalog.Program;

    /// <summary>
    /// After an order is stored: upgrades the customer when the window's orders reach a higher tier. Returns the tier
    /// held afterwards (null without a tier program) and the change event, already stored, if there was one. The caller
    /// holds the customer's lock (ingestion locks its customers before writing), so a change is decided once on fresh data.
    /// </summary>
    public async Task<(TierDefinition? Tier, (InboundMessage Message, long CustomerId)? Change)> OnOrderAsync(IIngestTransaction tx, long customerId, DateTimeOffset orderedAt, DateTimeOffset now, CancellationToken ct)
    {
        if (Program is not { } program) return (null, null);
        // An order stamped ahead of the clock (a skewed sender) still counts towards the tier it earns.
        var until = orderedAt > now ? orderedAt : now;
        var totals = (await tx.OrderTotalsAsync([customerId], now.AddDays(-program.WindowDays), until, ct)).GetValueOrDefault(customerId);
        var standing = (await tx.LoadTiersAsync([customerId], ct)).GetValueOrDefault(customerId);
        var held = program.Find(standing?.Tier);
        var qualified = program.Qualified(totals.Spend, totals.Orders);
        if (qualified is null || (held is not null && qualified.Rank <= held.Rank)) return (held, null);

        // The change dates from the order: an imported history then reads true, and its Tier Changed, too old to
        // start a journey, congratulates nobody years late.
        var changedAt = orderedAt < now ? orderedAt : now;
        await tx.SaveTierAsync(customerId, new TierStanding(qualified.Name, changedAt, standing?.ReviewTier, standing?.ReviewUntil), ct);
        return (qualified, await RecordAsync(tx, customerId, standing?.Tier, held, qualified, ByOrder, changedAt, ct));
    }

    /// <summary>
    /// The periodic review of these customers: each is set to the tier the window's orders reach, but not below the
    /// last review's grant while its period runs; the new grant lasts until <paramref name="nextReview"/>. Customers
    /// with no tier and no order in the window are left alone. Returns the change events, already stored.
    /// </summary>
    public async Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> ReviewAsync(IIngestTransaction tx, IReadOnlyCollection<long> customerIds,
        DateTimeOffset now, DateTimeOffset nextReview, CancellationToken ct)
    {
        if (Program is not { } program || customerIds.Count == 0) return [];
        await tx.LockCustomersAsync(customerIds, ct);
        var totals = await tx.OrderTotalsAsync(customerIds, now.AddDays(-program.WindowDays), now, ct);
        var standings = await tx.LoadTiersAsync(customerIds, ct);
        var events = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var customerId in customerIds)
        {
            var standing = standings.GetValueOrDefault(customerId);
            if (standing is null && !totals.ContainsKey(customerId)) continue;
            var window = totals.GetValueOrDefault(customerId);
            if (program.Qualified(window.Spend, window.Orders) is not { } target) continue;
            if (standing?.ReviewUntil > now && program.Find(standing.ReviewTier) is { } granted && granted.Rank > target.Rank) target = granted;

            var held = program.Find(standing?.Tier);
            var changed = target.Name != standing?.Tier;
            await tx.SaveTierAsync(customerId, new TierStanding(target.Name, changed ? now : standing!.Since, target.Name, nextReview), ct);
            if (changed) events.Add(await RecordAsync(tx, customerId, standing?.Tier, held, target, ByReview, now, ct));
        }
        return events;
    }

    private static async Task<(InboundMessage Message, long CustomerId)> RecordAsync(IIngestTransaction tx, long customerId, string? fromName, TierDefinition? from,
        TierDefinition to, string reason, DateTimeOffset now, CancellationToken ct)
    {
        // A tier no longer in the file ranks below every tier that is.
        var direction = to.Rank > (from?.Rank ?? -1) ? "up" : "down";
        await tx.RecordTierChangeAsync(customerId, new TierChange(fromName ?? "", to.Name, reason, now), ct);
        var properties = new JsonObject
        {
            ["from"] = fromName ?? "",
            ["to"] = to.Name,
            ["rank"] = to.Rank,
            ["direction"] = direction,
            ["reason"] = reason,
            ["multiplier"] = to.Multiplier,
            ["perks"] = to.Perks.ToJson(),
        };
        var change = (DerivedEvents.Create(customerId, TierChanged, "tier-changed", to.Name, properties, now), customerId);
        await DerivedEvents.StoreAsync(tx, [change], ct);
        return change;
    }
}
