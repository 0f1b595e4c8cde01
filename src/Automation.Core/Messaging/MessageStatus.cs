using System.Text.Json.Serialization;

namespace Automation.Core.Messaging;

/// <summary>
/// Where an outbox message stands: one type for the dispatcher, the storage SQL (as <see cref="MessageStatuses.Text"/>)
/// and the API (as the same lower-case word). docs/channels.md says what each means.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<MessageStatus>))]
public enum MessageStatus
{
    /// <summary>Waiting to be sent, first time or to retry.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>Claimed by a dispatcher until its lease runs out.</summary>
    [JsonStringEnumMemberName("sending")] Sending,

    /// <summary>Accepted by the provider.</summary>
    [JsonStringEnumMemberName("sent")] Sent,

    /// <summary>Reported delivered by the provider.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>Given up: out of attempts, refused for good, or reported undelivered.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>Not sent: the address is unsubscribed or bounced.</summary>
    [JsonStringEnumMemberName("suppressed")] Suppressed,

    /// <summary>Not sent: over a frequency cap.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,

    /// <summary>Held for quiet hours, due again later.</summary>
    [JsonStringEnumMemberName("deferred")] Deferred,

    /// <summary>The customer is in a step's holdout: recorded, never sent.</summary>
    [JsonStringEnumMemberName("holdout")] Holdout,
}

/// <summary>The words statuses are stored and shown as.</summary>
public static class MessageStatuses
{
    /// <summary>Every status word, in the order of the type.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<MessageStatus>().Select(s => s.ToString().ToLowerInvariant())];

    private static readonly Dictionary<string, MessageStatus> ByText = Enum.GetValues<MessageStatus>().ToDictionary(s => All[(int)s], StringComparer.Ordinal);

    /// <summary>The word stored in <c>outbox.status</c> and shown by the API, such as <c>sent</c>.</summary>
    public static string Text(this MessageStatus status) => All[(int)status];

    /// <summary>The status a stored word names; throws on a word that is not one.</summary>
    public static MessageStatus Parse(string text) =>
        ByText.TryGetValue(text, out var status) ? status : throw new FormatException($"'{text}' is not a message status.");

    /// <summary>The status a word names, when it is one.</summary>
    public static bool TryParse(string? text, out MessageStatus status) => ByText.TryGetValue(text ?? "", out status);

    /// <summary>The status as a SQL string literal, for the fixed statuses a query names.</summary>
    public static string Sql(this MessageStatus status) => $"'{status.Text()}'";
}
