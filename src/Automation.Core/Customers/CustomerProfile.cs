using System.Text.Json.Nodes;

namespace Automation.Core.Customers;

/// <summary>
/// Who a customer is: identity, contact details and the traits the shop sent with <c>identify</c>.
/// </summary>
public sealed record CustomerProfile
{
    /// <summary>Internal key; never shown to clients.</summary>
    public long Id { get; init; }

    /// <summary>The shop's own id for the customer (Segment <c>userId</c>).</summary>
    public string? ExternalId { get; init; }

    /// <summary>The device or browser id seen before the customer signed in (Segment <c>anonymousId</c>).</summary>
    public string? AnonymousId { get; init; }

    public string? Email { get; init; }
    public string? Phone { get; init; }
    public string? Name { get; init; }

    /// <summary>Month and day matter for birthday journeys; the year may be unknown (stored as 0001 then).</summary>
    public DateOnly? Birthday { get; init; }

    /// <summary>IANA time zone id; journeys fall back to UTC when absent.</summary>
    public string? Timezone { get; init; }

    /// <summary>BCP 47 language tag such as <c>zh-CN</c>.</summary>
    public string? Locale { get; init; }

    /// <summary>Every trait received, merged by time: later traits win, older ones fill gaps.</summary>
    public JsonObject Traits { get; init; } = [];

    /// <summary>Timestamp of the newest <c>identify</c> applied; an older one only fills gaps.</summary>
    public DateTimeOffset? TraitsUpdatedAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
