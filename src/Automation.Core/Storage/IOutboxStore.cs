using System.Text.Json.Nodes;
using Automation.Core.Customers;

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

    Task<IReadOnlyList<CustomerSnapshot>> LoadCustomersAsync(IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Records the results of claimed messages in one transaction, except where the claim has been taken over by
    /// another dispatcher since (its lease ran out): a late result never overwrites the newer claim's.
    /// </summary>
    Task CompleteAsync(IReadOnlyCollection<(ClaimedMessage Message, DeliveryResult Result)> results, CancellationToken cancellationToken);

    Task<bool> IsSuppressedAsync(string channel, string address, CancellationToken cancellationToken);

    /// <summary>Applies a provider's delivery report to the message it sent; returns its recipient, or null when no message has that id.</summary>
    Task<string?> ReportDeliveryAsync(string channel, string providerId, string status, string? error, CancellationToken cancellationToken);

    /// <summary>When the marketing messages sent to a customer on a channel since <paramref name="since"/> went out, oldest first.</summary>
    Task<IReadOnlyList<DateTimeOffset>> MarketingSentSinceAsync(long customerId, string channel, DateTimeOffset since, CancellationToken cancellationToken);

    Task SuppressAsync(string channel, string address, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Lifts a suppression; false when there was none.</summary>
    Task<bool> UnsuppressAsync(string channel, string address, CancellationToken cancellationToken);

    /// <summary>Messages with a status (or all), newest first.</summary>
    Task<IReadOnlyList<MessageView>> ListAsync(string? status, int limit, CancellationToken cancellationToken);
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
    DateTimeOffset ClaimedUntil);

/// <summary>The outcome of one delivery attempt, as stored.</summary>
/// <param name="Status">sent, failed, suppressed, queued (to retry) or deferred.</param>
/// <param name="DueAt">When a queued or deferred message is tried again.</param>
public sealed record DeliveryResult(string Status, string? Recipient, string? ProviderId, string? Error, DateTimeOffset? DueAt, DateTimeOffset? SentAt);

/// <summary>A message as the API lists it.</summary>
public sealed record MessageView(
    long Id, string CustomerId, string Journey, string Step, string Channel, string Template, string Status,
    int Attempts, string? Recipient, string? ProviderId, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset DueAt, DateTimeOffset? SentAt,
    string? Variant);
