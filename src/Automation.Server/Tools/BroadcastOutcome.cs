using Automation.Core.Analytics;
using Automation.Core.Broadcasts;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Analytics;

namespace Automation.Server.Tools;

/// <summary>What became of a broadcast's messages, from their outbox statuses.</summary>
public sealed record BroadcastResults(long Queued, long Sent, long Failed, long SkippedByCap, long DeferredByQuietHours, long Suppressed, long HeldOut);

/// <summary>
/// A broadcast's results and, once it has started, the conversions attributed to it with each arm's lift over the
/// holdout; read alike by <c>GET /v1/broadcasts/{id}</c> and the console's broadcast page.
/// </summary>
internal sealed record BroadcastOutcome(BroadcastResults Results, AttributionStep? Conversions)
{
    /// <summary>Reads the outcome of <paramref name="broadcast"/>; conversions count orders within <paramref name="withinDays"/> of a message.</summary>
    public static async Task<BroadcastOutcome> ReadAsync(Broadcast broadcast, int withinDays, IBroadcastStore store, IAnalyticsStore analytics, DateTimeOffset now,
        CancellationToken ct)
    {
        var counts = await store.BroadcastMessageCountsAsync(broadcast.Id, ct);
        long Count(MessageStatus status) => counts.GetValueOrDefault(status.Text());
        var results = new BroadcastResults(Count(MessageStatus.Queued) + Count(MessageStatus.Sending), Count(MessageStatus.Sent) + Count(MessageStatus.Delivered),
            Count(MessageStatus.Failed), Count(MessageStatus.Skipped), Count(MessageStatus.Deferred), Count(MessageStatus.Suppressed), Count(MessageStatus.Holdout));
        AttributionStep? conversions = null;
        if (broadcast.StartedAt is { } started)
        {
            var report = await AnalyticsReports.AttributionAsync(analytics, new AttributionQuery(started, now > started ? now : started, withinDays, broadcast.Journey), ct);
            conversions = report.Steps.Count > 0 ? report.Steps[0] : null;
        }
        return new BroadcastOutcome(results, conversions);
    }
}
