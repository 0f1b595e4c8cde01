using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Support;

/// <summary>Builds Segment messages as JSON and reads them with the production reader.</summary>
public static class Segment
{
    public static JsonObject Identify(string? userId, object traits, DateTimeOffset? timestamp = null, string? messageId = null, string? anonymousId = null) =>
        Message("identify", userId, anonymousId, timestamp, messageId, ("traits", JsonSerializer.SerializeToNode(traits)));

    public static JsonObject Track(string? userId, string @event, object? properties = null, DateTimeOffset? timestamp = null, string? messageId = null, string? anonymousId = null) =>
        Message("track", userId, anonymousId, timestamp, messageId, ("event", @event), ("properties", JsonSerializer.SerializeToNode(properties ?? new { })));

    public static JsonObject Order(string userId, string orderId, decimal total, DateTimeOffset timestamp, string? coupon = null) =>
        Track(userId, CommerceEvents.OrderCompleted, new { order_id = orderId, total, currency = "USD", coupon }, timestamp);

    public static JsonObject Batch(params JsonObject[] messages) => new() { ["batch"] = new JsonArray([.. messages.Select(m => m.DeepClone())]) };

    /// <summary>
    /// Reads messages as the HTTP API would, failing the test on any validation error; except that a timestamp ahead of
    /// the clock is taken as it is, since these tests lay out a customer's timeline before they move the clock along it.
    /// </summary>
    public static IReadOnlyList<InboundMessage> Read(FakeTimeProvider clock, params JsonObject[] messages)
    {
        var result = new SegmentMessageReader(clock, futureTolerance: TimeSpan.FromDays(3650)).ReadBatch(Encoding.UTF8.GetBytes(Batch(messages).ToJsonString()));
        result.Errors.Should().BeEmpty();
        result.Rejected.Should().BeEmpty();
        return result.Messages;
    }

    private static JsonObject Message(string type, string? userId, string? anonymousId, DateTimeOffset? timestamp, string? messageId, params (string Key, JsonNode? Value)[] fields)
    {
        var message = new JsonObject { ["type"] = type };
        if (userId is not null) message["userId"] = userId;
        if (anonymousId is not null) message["anonymousId"] = anonymousId;
        if (timestamp is { } t) message["timestamp"] = t.ToString("O");
        if (messageId is not null) message["messageId"] = messageId;
        foreach (var (key, value) in fields) message[key] = value;
        return message;
    }
}
