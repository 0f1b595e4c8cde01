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

    /// <summary>The span of orders a tier is earned by when an order arrives: the window back from now, up to the order when it is stamped ahead of the clock (a skewed sender).</summary>
    public static TotalsSpan WindowOf(TierProgram program, long customerId, DateTimeOffset orderedAt, DateTimeOffset now) =>
        new(customerId, now.AddDays(-program.WindowDays), orderedAt > now ? orderedAt : now);

    /// <summary>
    /// What an order does to its customer's tier given the window's totals with it: the tier held afterwards, and the
    /// new standing, its history entry and its event when the order reaches a higher tier. The caller holds the
    /// customer's lock (ingestion locks its customers before writing), so a change is decided once on fresh data.
    /// </summary>
    public static (TierDefinition? Tier, TierUpgrade? Upgrade) AfterOrder(TierProgram program, long customerId, TierStanding? standing, OrderTotals window,
        DateTimeOffset orderedAt, DateTimeOffset now)
    {
        var held = program.Find(standing?.Tier);
        var qualified = program.Qualified(window.Spend, window.Orders);
        if (qualified is null || (held is not null && qualified.Rank <= held.Rank)) return (held, null);

        // The change dates from the order: an imported history then reads true, and its Tier Changed, too old to
        // start a journey, congratulates nobody years late.
        var changedAt = orderedAt < now ? orderedAt : now;
        var (change, changeEvent) = Describe(customerId, standing?.Tier, held, qualified, ByOrder, changedAt);
        return (qualified, new TierUpgrade(new TierStanding(qualified.Name, changedAt, standing?.ReviewTier, standing?.ReviewUntil), change, changeEvent));
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
        var saved = new Dictionary<long, TierStanding>();
        var history = new List<(long CustomerId, TierChange Change)>();
        var events = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var customerId in customerIds)
        {
            var standing = standings.GetValueOrDefault(customerId);
            if (standing is null && !totals.ContainsKey(customerId)) continue;
            var window = totals.GetValueOrDefault(customerId);
            if (program.Qualified(window.Spend, window.Orders) is not { } target) continue;
            if (standing?.ReviewUntil > now && program.Find(standing.ReviewTier) is { } granted && granted.Rank > target.Rank) target = granted;

            var changed = target.Name != standing?.Tier;
            saved[customerId] = new TierStanding(target.Name, changed ? now : standing!.Since, target.Name, nextReview);
            if (!changed) continue;
            var (change, changeEvent) = Describe(customerId, standing?.Tier, program.Find(standing?.Tier), target, ByReview, now);
            history.Add((customerId, change));
            events.Add(changeEvent);
        }
        await StoreAsync(tx, saved, history, events, ct);
        return events;
    }

    /// <summary>Writes tiers, their history and their Tier Changed events together.</summary>
    public static async Task StoreAsync(IIngestTransaction tx, IReadOnlyDictionary<long, TierStanding> standings, IReadOnlyList<(long CustomerId, TierChange Change)> history,
        IReadOnlyCollection<(InboundMessage Message, long CustomerId)> events, CancellationToken ct)
    {
        if (standings.Count > 0) await tx.SaveTiersAsync(standings, ct);
        if (history.Count > 0) await tx.RecordTierChangesAsync(history, ct);
        await DerivedEvents.StoreAsync(tx, events, ct);
    }

    private static (TierChange Change, (InboundMessage Message, long CustomerId) Event) Describe(long customerId, string? fromName, TierDefinition? from,
        TierDefinition to, string reason, DateTimeOffset now)
    {
        // A tier no longer in the file ranks below every tier that is.
        var direction = to.Rank > (from?.Rank ?? -1) ? "up" : "down";
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
        return (new TierChange(fromName ?? "", to.Name, reason, now), (DerivedEvents.Create(customerId, TierChanged, "tier-changed", to.Name, properties, now), customerId));
    }
}

/// <summary>A rise of tier an order earned: the standing to save, its history entry and its <c>Tier Changed</c> event.</summary>
public sealed record TierUpgrade(TierStanding Standing, TierChange Change, (InboundMessage Message, long CustomerId) Event);
