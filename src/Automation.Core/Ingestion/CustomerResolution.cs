using Automation.Core.Storage;

namespace Automation.Core.Ingestion;

/// <summary>
/// Finds or creates the customer behind each message. A message's <c>userId</c> wins; a customer first seen
/// only by <c>anonymousId</c> takes the <c>userId</c> they later sign in with, so their cart and events follow them.
/// </summary>
internal static class CustomerResolution
{
    private sealed class Slot(long id, string? externalId, string? anonymousId)
    {
        public long Id { get; set; } = id;
        public string? ExternalId { get; set; } = externalId;
        public string? AnonymousId { get; } = anonymousId;
        public bool IsNew => Id == 0;
    }

    /// <summary>The customer id of each message, in order.</summary>
    public static async Task<long[]> ResolveAsync(IIngestTransaction tx, IReadOnlyList<InboundMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        var externalIds = messages.Where(m => m.UserId is not null).Select(m => m.UserId!).ToHashSet(StringComparer.Ordinal);
        var anonymousIds = messages.Where(m => m.AnonymousId is not null).Select(m => m.AnonymousId!).ToHashSet(StringComparer.Ordinal);
        var known = await tx.FindCustomersAsync(externalIds, anonymousIds, ct);

        var byExternal = new Dictionary<string, Slot>(StringComparer.Ordinal);
        var byAnonymous = new Dictionary<string, Slot>(StringComparer.Ordinal);
        foreach (var k in known)
        {
            var slot = new Slot(k.Id, k.ExternalId, k.AnonymousId);
            if (k.ExternalId is not null) byExternal[k.ExternalId] = slot;
            if (k.AnonymousId is not null) byAnonymous[k.AnonymousId] = slot;
        }

        var slots = new Slot[messages.Count];
        var created = new List<Slot>();
        var linked = new List<Slot>();
        for (var i = 0; i < messages.Count; i++)
        {
            var (userId, anonymousId) = (messages[i].UserId, messages[i].AnonymousId);
            if (userId is not null && byExternal.TryGetValue(userId, out var existing))
            {
                slots[i] = existing;
            }
            else if (userId is not null && anonymousId is not null && byAnonymous.TryGetValue(anonymousId, out var anonymous) && anonymous.ExternalId is null)
            {
                anonymous.ExternalId = userId;
                byExternal[userId] = anonymous;
                if (!anonymous.IsNew) linked.Add(anonymous);
                slots[i] = anonymous;
            }
            else if (userId is null && byAnonymous.TryGetValue(anonymousId!, out var seenAnonymous))
            {
                slots[i] = seenAnonymous;
            }
            else
            {
                // An anonymous id already bound to another signed-in customer stays with them.
                var ownAnonymousId = anonymousId is not null && !byAnonymous.ContainsKey(anonymousId) ? anonymousId : null;
                var slot = new Slot(0, userId, ownAnonymousId);
                if (userId is not null) byExternal[userId] = slot;
                if (ownAnonymousId is not null) byAnonymous[ownAnonymousId] = slot;
                created.Add(slot);
                slots[i] = slot;
            }
        }

        foreach (var slot in linked) await tx.LinkExternalIdAsync(slot.Id, slot.ExternalId!, now, ct);
        if (created.Count > 0) await CreateAsync(tx, created, now, ct);
        return [.. slots.Select(s => s.Id)];
    }

    private static async Task CreateAsync(IIngestTransaction tx, List<Slot> created, DateTimeOffset now, CancellationToken ct)
    {
        // In key order: two batches creating some of the same customers then take the unique-index locks in the same
        // order, so one waits for the other instead of both deadlocking.
        var rows = await tx.CreateCustomersAsync([.. created.Select(s => new NewCustomer(s.ExternalId, s.AnonymousId))
            .OrderBy(c => c.ExternalId, StringComparer.Ordinal).ThenBy(c => c.AnonymousId, StringComparer.Ordinal)], now, ct);
        Assign(created, rows);

        var raced = created.Where(s => s.IsNew).ToList();
        if (raced.Count == 0) return;
        // Another transaction created these customers between our look-up and our insert: use theirs.
        var found = await tx.FindCustomersAsync(
            raced.Where(s => s.ExternalId is not null).Select(s => s.ExternalId!).ToList(),
            raced.Where(s => s.AnonymousId is not null).Select(s => s.AnonymousId!).ToList(), ct);
        Assign(raced, found);
        // A customer signing in on a device another transaction created at the same instant (the device's anonymous
        // event in another ingest lane, or on another node): that customer is the device's, now signed in.
        foreach (var slot in raced.Where(s => s.IsNew && s.ExternalId is not null && s.AnonymousId is not null))
        {
            if (found.FirstOrDefault(r => r.ExternalId is null && string.Equals(r.AnonymousId, slot.AnonymousId, StringComparison.Ordinal)) is not { } device) continue;
            slot.Id = device.Id;
            await tx.LinkExternalIdAsync(device.Id, slot.ExternalId!, now, ct);
        }
        if (raced.FirstOrDefault(s => s.IsNew) is { } missing)
            throw new InvalidOperationException($"Customer '{missing.ExternalId ?? missing.AnonymousId}' could be neither created nor found; the request can be retried.");
    }

    private static void Assign(IEnumerable<Slot> slots, IReadOnlyList<CustomerKey> rows)
    {
        var byExternal = rows.Where(r => r.ExternalId is not null).ToDictionary(r => r.ExternalId!, StringComparer.Ordinal);
        var byAnonymous = rows.Where(r => r.AnonymousId is not null).ToDictionary(r => r.AnonymousId!, StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            if (slot.ExternalId is not null ? byExternal.TryGetValue(slot.ExternalId, out var row) : byAnonymous.TryGetValue(slot.AnonymousId!, out row))
                slot.Id = row.Id;
        }
    }
}
