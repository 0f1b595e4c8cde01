using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Storage;

namespace Automation.Core.Ingestion;

/// <summary>
/// Events the server itself records (<c>Tag Added</c>, <c>Tier Changed</c> …): stored like ingested events, so they
/// show in the timeline and trigger journeys, with a message id that makes each change at a given moment happen once.
/// </summary>
public static class DerivedEvents
{
    public static InboundMessage Create(long customerId, string name, string idPrefix, string subject, JsonObject properties, DateTimeOffset now) => new()
    {
        Type = MessageType.Track,
        MessageId = $"{idPrefix}:{customerId.ToString(CultureInfo.InvariantCulture)}:{subject}:{now.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
        EventName = name,
        Timestamp = now,
        ReceivedAt = now,
        Properties = properties,
    };

    public static Task StoreAsync(IEventWrites tx, IReadOnlyCollection<(InboundMessage Message, long CustomerId)> events, CancellationToken ct) =>
        events.Count == 0 ? Task.CompletedTask : tx.InsertEventsAsync(
            [.. events.Select(e => new EventRecord(e.Message.MessageId, e.CustomerId, MessageType.Track, e.Message.EventName, e.Message.Properties, null, e.Message.Timestamp, e.Message.ReceivedAt))], ct);
}
