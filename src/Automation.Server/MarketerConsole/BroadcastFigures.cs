using Automation.Core.Analytics;
using Automation.Core.Broadcasts;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Automation.Server.Tools;
using Automation.Server.MarketerConsole.Charts;
using Microsoft.AspNetCore.Html;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// A broadcast's figures for the console, read as <c>GET /v1/broadcasts/{id}</c> reads them: its outbox rows by status
/// and, once it has started, the conversions attributed to it with the holdout's lift.
/// </summary>
internal sealed record BroadcastFigures(BroadcastResults Results, AttributionStep? Conversions)
{
    /// <summary>Reads the figures of <paramref name="broadcast"/>; conversions count orders within <paramref name="withinDays"/> of a message.</summary>
    public static async Task<BroadcastFigures> ReadAsync(Broadcast broadcast, int withinDays, IBroadcastStore store, IAnalyticsStore analytics, DateTimeOffset now,
        CancellationToken ct)
    {
        var (results, conversions) = await BroadcastOutcome.ReadAsync(broadcast, withinDays, store, analytics, now, ct);
        return new BroadcastFigures(results, conversions);
    }

    /// <summary>What became of the messages, one bar per outcome.</summary>
    public IHtmlContent OutcomeChart() => BarChart.Render(new ChartCaption("broadcast-outcomes", "Messages by outcome",
            "How many of the broadcast's members were sent the message, are still queued, failed, were skipped by a frequency cap, deferred by quiet hours, suppressed or held out."),
        Results is { Sent: 0, Queued: 0, Failed: 0, SkippedByCap: 0, DeferredByQuietHours: 0, Suppressed: 0, HeldOut: 0 } ? [] :
        [
            new Bar("Sent", Results.Sent), new Bar("Queued", Results.Queued), new Bar("Failed", Results.Failed), new Bar("Skipped by cap", Results.SkippedByCap),
            new Bar("Quiet hours", Results.DeferredByQuietHours), new Bar("Suppressed", Results.Suppressed), new Bar("Held out", Results.HeldOut),
        ], ValueFormat.Count, "Outcome", "Messages");

    /// <summary>The conversion rate of each arm and of the holdout; null without conversions to show.</summary>
    public IHtmlContent? ConversionChart() => Conversions is not { } step ? null : BarChart.Render(new ChartCaption("broadcast-conversions", "Conversion rate by arm",
            "Share of each arm's members who ordered within the attribution window after the message; the holdout was sent nothing."),
        [.. step.Variants.Select(v => new Bar(v.Variant ?? "sent", v.Results.ConversionRate)), .. step.Holdout is { } h ? [new Bar("holdout", h.ConversionRate)] : Array.Empty<Bar>()],
        ValueFormat.Percent, "Arm", "Conversion rate");
}
