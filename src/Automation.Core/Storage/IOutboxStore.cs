using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Messaging;

namespace Automation.Core.Storage;

/// <summary>The outbox as the dispatcher and the messages API see it.</summary>
public interface IOutboxStore
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due messages — queued or deferred and due, or left in 'sending' by a
    /// dispatcher whose claim ran out — marking them 'sending' until <paramref name="now"/> + <paramref name="lease"/>.
    /// Concurrent dispatchers never claim the same message (SKIP LOCKED on PostgreSQL, one writer on SQLite).
    /// </summary>
    Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>This installation's random id, made once when its database was created.</summary>
    Task<string> InstallationIdAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<CustomerSnapshot>> LoadCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Net spend and order count of these customers from <paramref name="from"/> to <paramref name="until"/>, counted as the
    /// tier engine counts them (for <c>tier.next</c> in templates); a customer without orders there is left out.
    /// </summary>
    Task<IReadOnlyDictionary<long, Tiers.OrderTotals>> OrderTotalsAsync(IReadOnlyCollection<long> customerIds, DateTimeOffset from, DateTimeOffset until,
        CancellationToken cancellationToken);

    /// <summary>
    /// Records the results of claimed messages in one transaction, except where the claim has been taken over by
    /// another dispatcher since (its lease ran out): a late result never overwrites the newer claim's.
    /// </summary>
    Task CompleteAsync(IReadOnlyCollection<(ClaimedMessage Message, DeliveryResult Result)> results, CancellationToken cancellationToken);

    /// <summary>Whether each address is suppressed on its channel, in the order asked: one query for a claimed batch.</summary>
    Task<IReadOnlyList<bool>> AreSuppressedAsync(IReadOnlyList<(string Channel, string Address)> addresses, CancellationToken cancellationToken);

    /// <summary>Applies a provider's delivery report to the message it sent; returns its recipient, or null when no message has that id.</summary>
    Task<string?> ReportDeliveryAsync(string channel, string providerId, MessageStatus status, string? lastError, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a place for each claimed marketing message under its customer's frequency caps on its channel, in one
    /// transaction for a claimed batch, counting for each message the places held in the last day and week before its
    /// own time: those of messages sent, of messages being sent now by any dispatcher, and of the batch's messages before
    /// it (the k-th message of a customer and channel is decided in the k-th statement). A message that already holds a
    /// place (its claim was taken over after a crash) keeps it. The place is kept when the message's result is 'sent'
    /// and given back with any other result (<see cref="CompleteAsync"/>). Concurrent claims for one customer take turns
    /// on the customer's row. Returns one answer per message, in order.
    /// </summary>
    Task<IReadOnlyList<CapClaim>> ClaimCapsAsync(IReadOnlyList<(ClaimedMessage Message, DateTimeOffset Now)> messages, FrequencyCaps caps,
        CancellationToken cancellationToken);

    /// <summary>
    /// Suppresses <paramref name="address"/> on <paramref name="channel"/>; false, changing nothing, when it is suppressed
    /// already (the insert claims it, so of racing adds one changes it). A change writes its
    /// <see cref="Audit.AuditActions.SuppressionAdd"/> entry by <paramref name="actor"/> in the same transaction.
    /// </summary>
    Task<bool> SuppressAsync(string channel, string address, string reason, DateTimeOffset at, Audit.AuditActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Records a customer's reply once per provider and key, and in the same transaction applies its intent to the
    /// sender's number on its channel: an opt-out suppresses it (<see cref="SuppressionReasons.RepliedStop"/>), an opt-in
    /// lifts only a suppression with that reason, each change with its audit entry. Returns false, changing nothing, when the reply was recorded before
    /// (by this or any other node: the key is claimed by the insert itself).
    /// </summary>
    Task<bool> RecordReplyAsync(Messaging.Replies.InboundReply reply, Messaging.Replies.ReplyIntent intent, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Lifts a suppression; false when there was none. A change writes its <see cref="Audit.AuditActions.SuppressionRemove"/>
    /// entry by <paramref name="actor"/> in the same transaction.
    /// </summary>
    Task<bool> UnsuppressAsync(string channel, string address, DateTimeOffset at, Audit.AuditActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// How many messages wait in each not-yet-final status (queued, sending, deferred) per channel: one grouped count
    /// over the (status, due_at) index, for the outbox depth metric.
    /// </summary>
    Task<IReadOnlyList<OutboxDepth>> CountWaitingAsync(CancellationToken cancellationToken);

    /// <summary>Messages with a status (or all), newest first.</summary>
    Task<IReadOnlyList<MessageView>> ListAsync(MessageStatus? status, int limit, CancellationToken cancellationToken);
}

/// <summary>A message a dispatcher holds, with what rendering it needs.</summary>
/// <param name="ClaimedUntil">The end of this claim's lease; it also tells this claim from a later one of the same message.</param>
public sealed record ClaimedMessage(
    long Id,
    string IdempotencyKey,
    long CustomerId,
    string Journey,
    string Step,
    string Channel,
    string Template,
    JsonObject Context,
    int Attempts,
    DateTimeOffset EnteredAt,
    JsonObject? TriggerEvent,
    bool Transactional,
    DateTimeOffset ClaimedUntil)
{
    /// <summary>The W3C traceparent of the step that queued it (see <see cref="Journeys.OutboxMessage.TraceParent"/>).</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Most marketing messages per customer per channel in 24 hours and in 7 days; 0 is no cap.</summary>
public sealed record FrequencyCaps(int PerDay, int PerWeek);

/// <summary>What <see cref="IOutboxStore.ClaimCapsAsync"/> found for a message.</summary>
public enum CapClaim
{
    /// <summary>The message holds a place under both caps.</summary>
    Held,

    /// <summary>The customer has had the day's messages on this channel.</summary>
    DayFull,

    /// <summary>The customer has had the week's messages on this channel.</summary>
    WeekFull,

    /// <summary>The message's claim was taken over by another dispatcher: nothing was claimed.</summary>
    ClaimLost,
}

/// <summary>The outcome of one delivery attempt, as stored.</summary>
/// <param name="Status">sent, failed, suppressed, skipped (over a frequency cap), queued (to retry) or deferred.</param>
/// <param name="DueAt">When a queued or deferred message is tried again.</param>
public sealed record DeliveryResult(MessageStatus Status, string? Recipient, string? ProviderId, string? Error, DateTimeOffset? DueAt, DateTimeOffset? SentAt)
{
    /// <summary>Why it failed or is retried, as a short fixed word for metrics (the <see cref="Error"/> text is not stored there).</summary>
    public string? ErrorType { get; init; }

    /// <summary>The engagement tracking a sent email carried; null for anything else.</summary>
    public CarriedTracking? Tracking { get; init; }
}

/// <summary>A message as the API lists it.</summary>
public sealed record MessageView(
    long Id, string CustomerId, string Journey, string Step, string Channel, string Template, MessageStatus Status,
    int Attempts, string? Recipient, string? ProviderId, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset DueAt, DateTimeOffset? SentAt,
    string? Variant);

/// <summary>How many outbox messages are in one status on one channel.</summary>
public sealed record OutboxDepth(MessageStatus Status, string Channel, long Count);
