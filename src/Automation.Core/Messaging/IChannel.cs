using System.Text.Json.Nodes;

namespace Automation.Core.Messaging;

/// <summary>
/// A way to reach customers: email, SMS, a webhook, a folder. Says where in a profile its recipient is, sends one
/// message and says what became of it. Registered as a keyed service under the name journeys use; see docs/channels.md.
/// </summary>
public interface IChannel
{
    /// <summary>Where this channel's recipient is in a customer's profile: the email address, the phone number.</summary>
    RecipientField Recipient { get; }

    /// <summary>Sends one message. Throwing counts as a retryable failure; prefer returning an outcome.</summary>
    Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}

/// <summary>What became of a send.</summary>
public abstract record SendOutcome
{
    /// <summary>The provider accepted it, under this id; an email says which engagement tracking it carried (none when null).</summary>
    public sealed record Sent(string ProviderId, CarriedTracking? Tracking = null) : SendOutcome;

    /// <summary>Try again later: after <see cref="After"/> when the provider said so, else after the dispatcher's backoff.</summary>
    public sealed record Retry(string Reason, TimeSpan? After = null) : SendOutcome;

    /// <summary>It will never go through; with <see cref="SuppressRecipient"/> the address is also suppressed (bounce, STOP).</summary>
    public sealed record Failed(string Reason, bool SuppressRecipient = false) : SendOutcome;
}

/// <summary>One rendered message for one recipient.</summary>
/// <param name="Recipient">The email address or E.164 phone number the channel sends to.</param>
/// <param name="UnsubscribeUrl">A signed link that unsubscribes this recipient in one click (RFC 8058).</param>
public sealed record OutgoingMessage(
    long Id,
    string IdempotencyKey,
    string Channel,
    string CustomerId,
    string Recipient,
    string? RecipientName,
    RenderedMessage Content,
    string UnsubscribeUrl,
    JsonObject Metadata)
{
    /// <summary>
    /// This installation's id (<see cref="Storage.IOutboxStore.InstallationIdAsync"/>): with the idempotency key it names
    /// the message uniquely across installs and database resets, as an email's Message-ID must.
    /// </summary>
    public string Installation { get; init; } = "";
}
