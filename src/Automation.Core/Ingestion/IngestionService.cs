using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Telemetry;
using Automation.Core.Tags;
using Automation.Core.Tiers;

namespace Automation.Core.Ingestion;

/// <summary>What happened to an ingested request.</summary>
/// <param name="Accepted">Messages stored for the first time.</param>
/// <param name="DuplicateMessageIds">Message ids already stored (or repeated within the request): they added nothing.</param>
public sealed record IngestOutcome(int Accepted, IReadOnlyList<string> DuplicateMessageIds);

/// <summary>
/// Stores validated messages and everything derived from them — customers, profile traits, orders, stats, carts,
/// the product catalog, purchase history and replenishment reminders,
/// tiers, points, rule tags and the journeys the events enter or exit — in one transaction, so a request is either
/// wholly stored or not at all.
/// </summary>
public sealed class IngestionService(IIngestionStore store, JourneyEngine journeys, TagEngine tags, TimeProvider clock, TierEngine tiers, PointsSettings points,
    Referrals.ReferralIntake? referrals = null, Products.ReplenishmentSettings? replenishment = null)
{
    private readonly Products.ReplenishmentSettings _replenishment = replenishment ?? new Products.ReplenishmentSettings();

    private IngestGroups? _groups;

    /// <summary>
    /// Stores the messages and everything derived from them; returns once they are committed. Requests that arrive
    /// together are committed together (see <see cref="IngestGroups"/>), each with its own outcome.
    /// </summary>
    public Task<IngestOutcome> IngestAsync(IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken) =>
        Groups.IngestAsync(messages, cancellationToken);

    private IngestGroups Groups => LazyInitializer.EnsureInitialized(ref _groups, () => new IngestGroups(WriteAsync, store.ConcurrentTransactions));

    /// <summary>One transaction for the requests of a group. A message id repeated in the group counts for its first request only.</summary>
    private async Task<IReadOnlyList<IngestOutcome>> WriteAsync(IReadOnlyList<IReadOnlyList<InboundMessage>> requests)
    {
        var ct = CancellationToken.None;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<InboundMessage>(requests.Sum(r => r.Count));
        foreach (var m in requests.SelectMany(r => r))
            if (seen.Add(m.MessageId)) unique.Add(m);

        var now = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        await using var tx = await store.BeginAsync(ct);
        var customerIds = await CustomerResolution.ResolveAsync(tx, unique, now, ct);

        var records = unique.Select((m, i) => new EventRecord(
            m.MessageId, customerIds[i], m.Type, m.EventName, m.Properties, m.Context, m.Timestamp, m.ReceivedAt)).ToList();
        var inserted = await tx.InsertEventsAsync(records, ct);

        var fresh = new List<(InboundMessage Message, long CustomerId)>(unique.Count);
        for (var i = 0; i < unique.Count; i++)
            if (inserted.Contains(unique[i].MessageId)) fresh.Add((unique[i], customerIds[i]));

        // Before anything is written for them, in id order: concurrent requests about the same customers queue
        // instead of locking rows in different orders and deadlocking (the tier engine relies on holding them too).
        await tx.LockCustomersAsync(fresh.Select(f => f.CustomerId).ToHashSet(), ct);
        await ApplyIdentifiesAsync(tx, fresh, now, ct);
        // Attributed before the orders of this group are noted: a customer who signs up with a code and orders at once is new.
        if (referrals is not null) fresh.AddRange(await referrals.OnIdentifiesAsync(tx, [.. fresh], now, ct));
        await Products.ProductHistory.ApplyAsync(tx, fresh, _replenishment, now, ct);
        fresh.AddRange(await ApplyCommerceAsync(tx, fresh, now, ct));
        var referrers = await Referrals.ReferralIntake.OnOrdersAsync(tx,
            [.. fresh.Where(f => f.Message.Commerce is OrderCompleted).Select(f => (f.CustomerId, ((OrderCompleted)f.Message.Commerce!).OrderId, f.Message.Timestamp))], ct);
        // Tag rules see the profile, stats, cart, tier, points and referrals: only identifies, commerce events and the
        // first orders of referred customers change those. Page views and other events leave every tag as it was
        // (time alone is the daily refresh's work).
        var factsChanged = fresh.Where(f => ChangesProfile(f.Message) || f.Message.Commerce is not null).Select(f => f.CustomerId).Concat(referrers).ToHashSet();
        // The journeys' state first, so that the snapshots their first entries read go in the tag rules' round trip.
        var snapshots = new SnapshotCache();
        var prepared = await journeys.PrepareEventsAsync(tx, fresh, snapshots, now, ct);
        fresh.AddRange(await tags.ApplyAsync(tx, factsChanged, snapshots, now, ct));
        await journeys.OnEventsAsync(tx, prepared, fresh, now, ct);
        await tx.CommitAsync(ct);

        var outcomes = new List<IngestOutcome>(requests.Count);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var accepted = 0;
            var duplicates = new List<string>();
            foreach (var m in request)
            {
                if (inserted.Contains(m.MessageId) && counted.Add(m.MessageId)) accepted++;
                else duplicates.Add(m.MessageId);
            }
            outcomes.Add(new IngestOutcome(accepted, duplicates));
        }
        RecordCommitted(outcomes, clock.GetElapsedTime(started));
        return outcomes;
    }

    private static void RecordCommitted(List<IngestOutcome> outcomes, TimeSpan took)
    {
        AutomationMetrics.IngestGroups.Add(1);
        AutomationMetrics.IngestDerivationDuration.Record(took.TotalSeconds);
        AutomationMetrics.IngestMessages.Add(outcomes.Sum(o => o.Accepted), AutomationMetrics.Tags("automation.ingest.outcome", "accepted"));
        AutomationMetrics.IngestMessages.Add(outcomes.Sum(o => o.DuplicateMessageIds.Count), AutomationMetrics.Tags("automation.ingest.outcome", "duplicate"));
    }

    private static async Task ApplyIdentifiesAsync(IIngestTransaction tx, List<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now, CancellationToken ct)
    {
        var identifies = fresh.Where(f => ChangesProfile(f.Message)).ToList();
        if (identifies.Count == 0) return;

        var profiles = (await tx.LoadProfilesAsync(identifies.Select(f => f.CustomerId).ToHashSet(), ct)).ToDictionary(p => p.Id);
        foreach (var (message, customerId) in identifies.OrderBy(f => f.Message.Timestamp))
            profiles[customerId] = ProfileMerge.Apply(profiles[customerId], ProfileMerge.TraitsOf(message), message.Timestamp, now);
        await tx.SaveProfilesAsync([.. profiles.Values], ct);
    }

    private static bool ChangesProfile(InboundMessage message) => message.Type is MessageType.Identify or MessageType.Group;

    /// <summary>
    /// Orders, refunds, deliveries and carts; returns the tier changes orders made, already stored. The orders and
    /// deliveries between two refunds go together (<see cref="OrderRun"/>); a refund, rare, is applied on its own
    /// and sees the orders before it stored.
    /// </summary>
    private async Task<List<(InboundMessage Message, long CustomerId)>> ApplyCommerceAsync(IIngestTransaction tx, List<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now, CancellationToken ct)
    {
        var tierChanges = new List<(InboundMessage Message, long CustomerId)>();
        var statsChanged = new HashSet<long>();
        var cartChanged = new HashSet<long>();
        var program = tiers.Program;
        var run = new List<(InboundMessage Message, long CustomerId)>();
        foreach (var (message, customerId) in fresh)
        {
            switch (message.Commerce)
            {
                case OrderCompleted:
                    run.Add((message, customerId));
                    statsChanged.Add(customerId);
                    cartChanged.Add(customerId);
                    break;
                case OrderRefunded refund:
                    tierChanges.AddRange(await OrderRun.ApplyAsync(tx, run, program, points, now, ct));
                    run.Clear();
                    await tx.RecordRefundAsync(customerId, refund, ct);
                    await PointsEarning.OnRefundAsync(tx, customerId, refund, message.MessageId, message.Timestamp, ct);
                    statsChanged.Add(customerId);
                    break;
                case OrderDelivered:
                    run.Add((message, customerId));
                    break;
                case CartChanged:
                    cartChanged.Add(customerId);
                    break;
            }
        }
        tierChanges.AddRange(await OrderRun.ApplyAsync(tx, run, program, points, now, ct));

        if (statsChanged.Count > 0) await tx.RefreshStatsAsync(statsChanged, ct);
        if (cartChanged.Count > 0)
        {
            var events = await tx.LoadOpenCartEventsAsync(cartChanged, ct);
            var byCustomer = events.ToLookup(e => e.CustomerId);
            var carts = cartChanged.ToDictionary(id => id, id => CartReplay.Replay(byCustomer[id]));
            await tx.SaveCartsAsync(carts, ct);
        }
        return tierChanges;
    }
}
