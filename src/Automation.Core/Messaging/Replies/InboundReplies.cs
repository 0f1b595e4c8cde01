using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Storage;

namespace Automation.Core.Messaging.Replies;

/// <summary>
/// Applies customers' replies: records each once, suppresses the number on STOP and lifts that suppression on START
/// (<see cref="IOutboxStore.RecordReplyAsync"/>), and records <c>SMS Opted Out</c> / <c>SMS Opted In</c> — or, for a
/// reply that is no keyword, <c>SMS Replied</c> — on every customer with that phone number, so journeys and tags can
/// react. The event's message id is derived from the reply's key: a provider's second delivery adds no second event,
/// and one whose first delivery stopped after the suppression still gets its event. HELP records no event.
/// </summary>
public sealed class InboundReplies(IOutboxStore outbox, ICustomerStore customers, IngestionService ingestion, TimeProvider clock)
{
    /// <summary>Most customers one number's event is recorded on (a family may share a phone; a bad import may not).</summary>
    private const int MostCustomersPerNumber = 20;

    /// <summary>The event a STOP records.</summary>
    public const string OptedOutEvent = "SMS Opted Out";

    /// <summary>The event a START records.</summary>
    public const string OptedInEvent = "SMS Opted In";

    /// <summary>The event any other reply records, with its text: a conversation journeys may answer.</summary>
    public const string RepliedEvent = "SMS Replied";

    /// <summary>Handles one reply; <paramref name="intent"/> overrides reading the text (Twilio's OptOutType says it).</summary>
    public async Task<ReplyIntent> HandleAsync(InboundReply reply, ReplyIntent? intent, CancellationToken cancellationToken)
    {
        var meaning = intent ?? OptOutKeywords.Interpret(reply.Text);
        var now = clock.GetUtcNow();
        await outbox.RecordReplyAsync(reply, meaning, now, cancellationToken);
        var eventName = meaning switch
        {
            ReplyIntent.OptOut => OptedOutEvent,
            ReplyIntent.OptIn => OptedInEvent,
            ReplyIntent.None => RepliedEvent,
            _ => null,
        };
        if (eventName is null) return meaning;

        var matches = (await customers.SearchAsync(reply.Sender, MostCustomersPerNumber, cancellationToken)).Where(c => c.Phone == reply.Sender).ToList();
        if (matches.Count == 0) return meaning;
        var events = matches.Select(c => new InboundMessage
        {
            Type = MessageType.Track,
            MessageId = $"reply:{reply.Provider}:{reply.Key}:{c.Id}",
            UserId = c.ExternalId,
            AnonymousId = c.ExternalId is null ? c.AnonymousId : null,
            EventName = eventName,
            Timestamp = reply.SentAt ?? now,
            ReceivedAt = now,
            Properties = new JsonObject { ["channel"] = reply.Channel, ["provider"] = reply.Provider, ["phone"] = reply.Sender, ["text"] = reply.Text },
        }).ToList();
        await ingestion.IngestAsync(events, cancellationToken);
        return meaning;
    }
}
