using System.Text.Json.Nodes;

namespace Automation.Core.Ingestion;

/// <summary>The Segment call a message came from.</summary>
public enum MessageType
{
    Identify,
    Track,
    Page,
    Screen,

    /// <summary>Puts the customer in a group (an account, a household): its id and traits land on the profile.</summary>
    Group,

    /// <summary>Binds a previous id (an anonymous id) to the user id, as an identify with both does.</summary>
    Alias,
}

/// <summary>
/// One validated Segment message, ready to be stored. Built by <see cref="SegmentMessageReader"/> (and, for the events
/// of customers' SMS replies, by <see cref="Messaging.Replies.InboundReplies"/>),
/// so every value in it has been checked.
/// </summary>
public sealed record InboundMessage
{
    public required MessageType Type { get; init; }

    /// <summary>Unique per message; a replay with the same id is a duplicate and adds nothing.</summary>
    public required string MessageId { get; init; }

    public string? UserId { get; init; }
    public string? AnonymousId { get; init; }

    /// <summary>Event name for <c>track</c>, page or screen name for <c>page</c>/<c>screen</c>, the group id for <c>group</c>, null for <c>identify</c> and <c>alias</c>.</summary>
    public string? EventName { get; init; }

    /// <summary>When it happened, corrected for the sender's clock as Segment does. Orders events, late ones included.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Event properties, or the traits of an <c>identify</c> or <c>group</c>.</summary>
    public required JsonObject Properties { get; init; }

    public JsonObject? Context { get; init; }

    /// <summary>What the message means for orders and carts, when its name is one of the commerce events.</summary>
    public CommerceFact? Commerce { get; init; }
}
