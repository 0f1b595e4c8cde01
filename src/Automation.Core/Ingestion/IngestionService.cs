using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tags;

namespace Automation.Core.Ingestion;

/// <summary>What happened to an ingested request.</summary>
/// <param name="Accepted">Messages stored for the first time.</param>
/// <param name="DuplicateMessageIds">Message ids already stored (or repeated within the request): they added nothing.</param>
public sealed record IngestOutcome(int Accepted, IReadOnlyList<string> DuplicateMessageIds);

/// <summary>
/// Stores validated messages and everything derived from them — customers, profile traits, orders, stats, carts, rule
/// tags and the journeys the events enter or exit — in one transaction, so a request is either wholly stored or not at all.
/// </summary>
public sealed class IngestionService(IIngestionStore store, JourneyEngine journeys, TagEngine tags, TimeProvider clock, PointsSettings? points = null)
{
    public async Task<IngestOutcome> IngestAsync(IReadOnlyList<InboundMessage> messages, CancellationToken cancellationToken)
    {
        var duplicates = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<InboundMessage>(messages.Count);
        foreach (var m in messages)
        {
            if (seen.Add(m.MessageId)) unique.Add(m);
            else duplicates.Add(m.MessageId);
        }

        var now = clock.GetUtcNow();
        await using var tx = await store.BeginAsync(cancellationToken);
        var customerIds = await CustomerResolution.ResolveAsync(tx, unique, now, cancellationToken);

        var records = unique.Select((m, i) => new EventRecord(
            m.MessageId, customerIds[i], m.Type, m.EventName, m.Properties, m.Context, m.Timestamp, m.ReceivedAt)).ToList();
        var inserted = await tx.InsertEventsAsync(records, cancellationToken);

        var fresh = new List<(InboundMessage Message, long CustomerId)>(unique.Count);
        for (var i = 0; i < unique.Count; i++)
        {
            if (inserted.Contains(unique[i].MessageId)) fresh.Add((unique[i], customerIds[i]));
            else duplicates.Add(unique[i].MessageId);
        }

        await ApplyIdentifiesAsync(tx, fresh, now, cancellationToken);
        await ApplyCommerceAsync(tx, fresh, points ?? new PointsSettings(), cancellationToken);
        var accepted = fresh.Count;
        fresh.AddRange(await tags.ApplyAsync(tx, fresh.Select(f => f.CustomerId).ToHashSet(), now, cancellationToken));
        await journeys.OnEventsAsync(tx, fresh, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new IngestOutcome(accepted, duplicates);
    }

    private static async Task ApplyIdentifiesAsync(IIngestTransaction tx, List<(InboundMessage Message, long CustomerId)> fresh, DateTimeOffset now, CancellationToken ct)
    {
        var identifies = fresh.Where(f => f.Message.Type == MessageType.Identify).ToList();
        if (identifies.Count == 0) return;

        var profiles = (await tx.LoadProfilesAsync(identifies.Select(f => f.CustomerId).ToHashSet(), ct)).ToDictionary(p => p.Id);
        foreach (var (message, customerId) in identifies.OrderBy(f => f.Message.Timestamp))
            profiles[customerId] = ProfileMerge.Apply(profiles[customerId], message.Properties, message.Timestamp, now);
        await tx.SaveProfilesAsync([.. profiles.Values], ct);
    }

    private static async Task ApplyCommerceAsync(IIngestTransaction tx, List<(InboundMessage Message, long CustomerId)> fresh, PointsSettings points, CancellationToken ct)
    {
        var statsChanged = new HashSet<long>();
        var cartChanged = new HashSet<long>();
        foreach (var (message, customerId) in fresh)
        {
            switch (message.Commerce)
            {
                case OrderCompleted order:
                    await tx.RecordOrderAsync(customerId, order, message.Timestamp, ct);
                    await PointsEarning.OnOrderAsync(tx, customerId, order, message.Timestamp, points, ct);
                    statsChanged.Add(customerId);
                    cartChanged.Add(customerId);
                    break;
                case OrderRefunded refund:
                    await tx.RecordRefundAsync(customerId, refund, ct);
                    await PointsEarning.OnRefundAsync(tx, customerId, refund, message.MessageId, message.Timestamp, points, ct);
                    statsChanged.Add(customerId);
                    break;
                case OrderDelivered delivery:
                    await tx.RecordDeliveryAsync(customerId, delivery, message.Timestamp, ct);
                    break;
                case CartChanged:
                    cartChanged.Add(customerId);
                    break;
            }
        }

        if (statsChanged.Count > 0) await tx.RefreshStatsAsync(statsChanged, ct);
        if (cartChanged.Count > 0)
        {
            var events = await tx.LoadOpenCartEventsAsync(cartChanged, ct);
            var byCustomer = events.ToLookup(e => e.CustomerId);
            var carts = cartChanged.ToDictionary(id => id, id => CartReplay.Replay(byCustomer[id]));
            await tx.SaveCartsAsync(carts, ct);
        }
    }
}
