using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Automation.Core.Tags;

/// <summary>
/// Keeps rule tags in step with the customers' facts, inside the caller's transaction, and records each change as a
/// <c>Tag Added</c> or <c>Tag Removed</c> event (properties <c>tag</c>, <c>source</c>) that journeys can trigger on.
/// Manual and journey tags are never taken away by the rules, and a quarantined rule (one that went past its budget)
/// leaves its tag as it is until the file is fixed.
/// </summary>
public sealed partial class TagEngine(TagCatalog catalog, ILogger<TagEngine> logger, Tiers.TierCatalog tiers)
{
    /// <summary>Applies the tag rules to these customers; returns the tag events, already stored, for the journey engine.</summary>
    public Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> ApplyAsync(IIngestTransaction tx, IReadOnlyCollection<long> customerIds, DateTimeOffset now, CancellationToken ct) =>
        ApplyAsync(tx, customerIds, new SnapshotCache(), now, ct);

    /// <summary>
    /// Applies the tag rules to these customers, reading them through <paramref name="snapshots"/> (with whatever
    /// others asked of it ahead) and leaving their snapshots there with the tags as they now are; returns the tag
    /// events, already stored, for the journey engine.
    /// </summary>
    public async Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> ApplyAsync(IIngestTransaction tx, IReadOnlyCollection<long> customerIds, SnapshotCache snapshots,
        DateTimeOffset now, CancellationToken ct)
    {
        if (catalog.Rules is not { } rules || customerIds.Count == 0) return [];
        var events = new List<(InboundMessage Message, long CustomerId)>();
        var added = new List<(long CustomerId, string Tag)>();
        var removed = new List<(long CustomerId, string Tag)>();
        // The tags held, to compare, and whatever the rules read.
        var parts = rules.Rules.Aggregate(SnapshotParts.Tags, (read, rule) => read | rule.Reads);
        await snapshots.LoadAsync(tx, customerIds, parts, ct);
        foreach (var snapshot in customerIds.Order().Select(id => snapshots.Snapshots.GetValueOrDefault(id)).OfType<CustomerSnapshot>())
        {
            var facts = FactsBuilder.Facts(snapshot, null, new EventFacts(), now, tiers.Program);
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            var onHold = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rule in rules.Rules)
            {
                var result = rule.Evaluate(facts, now);
                if (result.QuarantinedNow is { } quarantine)
                    LogQuarantined(logger, rule.Name, quarantine.Reason, quarantine.CustomerId);
                if (rule.Quarantine is not null) onHold.Add(rule.Name);
                else if (result.Holds) wanted.Add(rule.Name);
            }
            var id = snapshot.Profile.Id;
            foreach (var tag in wanted.Where(t => !snapshot.Tags.Contains(t)))
            {
                added.Add((id, tag));
                events.Add((Event(id, tag, TagSources.TagAdded, TagSources.Rule, now), id));
            }
            foreach (var tag in snapshot.RuleTags.Where(t => !wanted.Contains(t) && !onHold.Contains(t)))
            {
                removed.Add((id, tag));
                events.Add((Event(id, tag, TagSources.TagRemoved, TagSources.Rule, now), id));
            }
        }
        if (added.Count > 0) await tx.AddTagsAsync(added, TagSources.Rule, now, ct);
        if (removed.Count > 0) await tx.RemoveTagsAsync(removed, ct);
        var (adds, removes) = (added.ToLookup(t => t.CustomerId, t => t.Tag), removed.ToLookup(t => t.CustomerId, t => t.Tag));
        foreach (var customer in added.Concat(removed).Select(t => t.CustomerId).Distinct())
            snapshots.Update(customer, snapshot => WithRuleTags(snapshot, [.. adds[customer]], [.. removes[customer]]));
        await DerivedEvents.StoreAsync(tx, events, ct);
        return events;
    }

    /// <summary>The snapshot with these rule tags added and taken away, in the order storage reads tags (by name).</summary>
    private static CustomerSnapshot WithRuleTags(CustomerSnapshot snapshot, IReadOnlyList<string> added, IReadOnlyList<string> removed) => snapshot with
    {
        Tags = [.. snapshot.Tags.Except(removed, StringComparer.Ordinal).Concat(added).Order(StringComparer.Ordinal)],
        RuleTags = [.. snapshot.RuleTags.Except(removed, StringComparer.Ordinal).Concat(added).Order(StringComparer.Ordinal)],
    };

    /// <summary>Adds or removes a tag by hand (the API) and records the event; returns it, or nothing when the tag was already so.</summary>
    public static async Task<IReadOnlyList<(InboundMessage Message, long CustomerId)>> SetManualAsync(IIngestTransaction tx, long customerId, string tag, bool add, DateTimeOffset now, CancellationToken ct)
    {
        var snapshot = (await tx.LoadSnapshotsAsync([customerId], SnapshotParts.Tags, ct)).Single();
        if (snapshot.Tags.Contains(tag) == add) return [];
        if (add) await tx.AddTagsAsync([(customerId, tag)], TagSources.Manual, now, ct);
        else await tx.RemoveTagsAsync([(customerId, tag)], ct);
        List<(InboundMessage, long)> events = [(Event(customerId, tag, add ? TagSources.TagAdded : TagSources.TagRemoved, TagSources.Manual, now), customerId)];
        await DerivedEvents.StoreAsync(tx, events, ct);
        return events;
    }

    private static InboundMessage Event(long customerId, string tag, string name, string source, DateTimeOffset now) =>
        DerivedEvents.Create(customerId, name, name == TagSources.TagAdded ? "tag-added" : "tag-removed", tag, new JsonObject { ["tag"] = tag, ["source"] = source }, now);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tag rule {Tag} is quarantined and leaves its tag as it is until rules/tags.json changes: it {Reason} for customer {CustomerId}")]
    private static partial void LogQuarantined(ILogger logger, string tag, string reason, string customerId);
}
