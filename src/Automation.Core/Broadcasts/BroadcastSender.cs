using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Presales;
using Automation.Core.Messaging;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Broadcasts;

/// <summary>
/// Starts due broadcasts and walks their segments' members a page at a time, enqueueing one outbox message per member
/// for the dispatcher (which applies caps, quiet hours and suppression as for journeys). Each member is claimed by the
/// journey instance of <c>broadcast:&lt;id&gt;</c> (unique per customer) and its message keyed
/// <c>broadcast:&lt;id&gt;:&lt;customer&gt;</c>, so a page walked twice, or by two nodes at once, sends nothing twice;
/// the last member walked is saved per page, so a walk cut short resumes where it stopped. Each message is due when
/// <see cref="BroadcastTiming"/> says: at once, at a local time in the member's zone, or when their tier's pre-sale access opens.
/// </summary>
public sealed class BroadcastSender(IBroadcastStore broadcasts, IJourneyStore journeys, SegmentCatalog segments, SegmentMembers members,
    PresaleCatalog presales, TierCatalog tiers, TimeProvider clock)
{
    /// <summary>Members enqueued per transaction.</summary>
    public const int PageSize = 500;

    /// <summary>The step name a broadcast's messages carry.</summary>
    public const string Step = "send";

    /// <summary>Starts the broadcasts due now and walks every broadcast being sent; returns how many messages this call enqueued.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await broadcasts.StartDueBroadcastsAsync(clock.GetUtcNow(), ct);
        var enqueued = 0;
        foreach (var broadcast in await broadcasts.SendingBroadcastsAsync(ct)) enqueued += await WalkAsync(broadcast, ct);
        return enqueued;
    }

    private async Task<int> WalkAsync(Broadcast broadcast, CancellationToken ct)
    {
        var enqueued = 0;
        var after = broadcast.LastCustomerId;
        // A segment or pre-sale removed from the files since the broadcast was created leaves nobody to walk.
        var sale = broadcast.Presale is null ? null : presales.Find(broadcast.Presale);
        if (segments.Find(broadcast.Segment) is not { } segment || (broadcast.Presale is not null && sale is null))
        {
            await broadcasts.FinishBroadcastAsync(broadcast.Id, clock.GetUtcNow(), ct);
            return 0;
        }
        while (true)
        {
            var page = await members.PageAsync(segment, after, PageSize, ct, SnapshotParts.Tier);
            var now = clock.GetUtcNow();
            var program = tiers.Program;
            var timing = page.ToDictionary(m => m.Profile.Id, m => BroadcastTiming.For(broadcast, m, sale, program, now));
            if (page.Count == 0)
            {
                await broadcasts.FinishBroadcastAsync(broadcast.Id, now, ct);
                return enqueued;
            }
            int claimed;
            // The progress is saved once the page's transaction is closed: on SQLite both take the one writer connection.
            await using (var tx = await journeys.BeginJourneyWorkAsync(ct))
            {
                var entered = await tx.EnterAsync([.. page.Select(m => new JourneyEntry(m.Profile.Id, broadcast.Journey, Step, now, timing[m.Profile.Id].TriggerEvent))], ct);
                await tx.EndAsync([.. entered.Select(i => new InstanceEnd(i.Id, JourneyEnd.Completed, "broadcast", now))], ct);
                await tx.EnqueueAsync([.. entered.Select(i => Message(broadcast, i, timing[i.CustomerId].DueAt))], now, ct);
                await tx.CommitAsync(ct);
                claimed = entered.Count;
            }
            await broadcasts.SaveBroadcastProgressAsync(broadcast.Id, after, page[^1].Profile.Id, page.Count, claimed, ct);
            enqueued += claimed;
            after = page[^1].Profile.Id;
        }
    }

    /// <summary>The member's message: the arm (holdout or variant) is a hash of broadcast and customer, the same on every node.</summary>
    public static OutboxMessage Message(Broadcast broadcast, JourneyInstance instance, DateTimeOffset dueAt)
    {
        var (variant, context) = Variants.Assign(broadcast.Journey, instance.CustomerId.ToString(CultureInfo.InvariantCulture), Context(broadcast));
        return new OutboxMessage($"{broadcast.Journey}:{instance.CustomerId.ToString(CultureInfo.InvariantCulture)}", instance.CustomerId, broadcast.Journey,
            instance.Id, Step, broadcast.Channel, context["Template"]!.GetValue<string>(), context, dueAt, variant);
    }

    /// <summary>The send context, as a journey's Send step would have it.</summary>
    public static JsonObject Context(Broadcast broadcast)
    {
        var context = new JsonObject
        {
            ["Channel"] = broadcast.Channel,
            ["Template"] = broadcast.Template,
            ["Broadcast"] = broadcast.Name,
        };
        if (broadcast.HoldoutPercent > 0) context["Holdout"] = broadcast.HoldoutPercent / 100.0;
        if (broadcast.Variants.Count > 0)
        {
            context["Variants"] = new JsonArray([.. broadcast.Variants.Select(v => (JsonNode)new JsonObject
            {
                ["Name"] = v.Name,
                ["Weight"] = v.Weight,
                ["Template"] = v.Template,
            })]);
        }
        return context;
    }
}
