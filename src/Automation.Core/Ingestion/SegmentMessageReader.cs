using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Ingestion;

/// <summary>The messages read from one request, or every problem found in it.</summary>
public sealed record ReadResult(IReadOnlyList<InboundMessage> Messages, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads Segment HTTP Tracking API bodies (<c>identify</c>, <c>track</c>, <c>page</c>, <c>screen</c>, <c>batch</c>)
/// into <see cref="InboundMessage"/>s. All problems are collected with their JSON paths; a body with any problem
/// yields no messages, so nothing of it is half-written.
/// </summary>
public sealed class SegmentMessageReader(TimeProvider clock)
{
    /// <summary>Most messages accepted in one batch (Segment's limit is 500 KB, which this also respects).</summary>
    public const int MaxBatchMessages = 1_000;

    private const int MaxEventNameLength = 200;

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Reads a single-message body sent to the route of <paramref name="type"/>.</summary>
    public ReadResult ReadMessage(ReadOnlySpan<byte> utf8Json, MessageType type)
    {
        if (Parse(utf8Json, out var root) is { } syntaxError) return Failed(syntaxError);
        if (root is not JsonObject message) return Failed(new FieldError("$", $"the body must be a JSON object, not {JsonFieldReader.Describe(root)}"));

        var reader = new JsonFieldReader([]);
        var read = ReadOne(message, type, "", batchContext: null, batchSentAt: null, clock.GetUtcNow(), reader);
        return reader.Errors.Count > 0 || read is null ? Failed(reader.Errors) : new ReadResult([read], []);
    }

    /// <summary>Reads a <c>batch</c> body: <c>{ "batch": [ { "type": "track", … }, … ] }</c>.</summary>
    public ReadResult ReadBatch(ReadOnlySpan<byte> utf8Json)
    {
        if (Parse(utf8Json, out var root) is { } syntaxError) return Failed(syntaxError);
        if (root is not JsonObject body) return Failed(new FieldError("$", $"the body must be a JSON object, not {JsonFieldReader.Describe(root)}"));

        var reader = new JsonFieldReader([]);
        var items = reader.Array(body, "batch", "");
        if (items is null)
        {
            if (reader.Errors.Count == 0) reader.Add("batch", "is required");
            return Failed(reader.Errors);
        }
        if (items.Count == 0) return Failed(new FieldError("batch", "must hold at least one message"));
        if (items.Count > MaxBatchMessages) return Failed(new FieldError("batch", $"must hold at most {MaxBatchMessages} messages, not {items.Count}"));

        var batchContext = reader.Object(body, "context", "");
        var batchSentAt = reader.Timestamp(body, "sentAt", "");
        var receivedAt = clock.GetUtcNow();
        var messages = new List<InboundMessage>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"batch[{i}]";
            if (items[i] is not JsonObject item)
            {
                reader.Add(path, $"must be an object, not {JsonFieldReader.Describe(items[i])}");
                continue;
            }
            var typeName = reader.String(item, "type", path, 20);
            if (typeName is null)
            {
                reader.Add(JsonFieldReader.Join(path, "type"), "is required: identify, track, page or screen");
                continue;
            }
            if (!TryParseType(typeName, out var type))
            {
                reader.Add(JsonFieldReader.Join(path, "type"), $"'{typeName}' is not supported: use identify, track, page or screen");
                continue;
            }
            if (ReadOne(item, type, path, batchContext, batchSentAt, receivedAt, reader) is { } message) messages.Add(message);
        }
        return reader.Errors.Count > 0 ? Failed(reader.Errors) : new ReadResult(messages, []);
    }

    private static InboundMessage? ReadOne(JsonObject m, MessageType type, string path, JsonObject? batchContext,
        DateTimeOffset? batchSentAt, DateTimeOffset receivedAt, JsonFieldReader r)
    {
        var errorsBefore = r.Errors.Count;
        var messageId = r.Id(m, "messageId", path) ?? Guid.NewGuid().ToString("N");
        var userId = r.Id(m, "userId", path);
        var anonymousId = r.Id(m, "anonymousId", path);
        if (userId is null && anonymousId is null && r.Errors.Count == errorsBefore)
            r.Add(JsonFieldReader.Join(path, "userId"), "userId or anonymousId is required");

        var contextPath = JsonFieldReader.Join(path, "context");
        var context = r.Object(m, "context", path) ?? batchContext;
        var timestamp = Timestamp(m, path, batchSentAt, receivedAt, r);

        string? name = null;
        JsonObject properties;
        CommerceFact? commerce = null;
        switch (type)
        {
            case MessageType.Identify:
                properties = r.Object(m, "traits", path) ?? (context is null ? null : r.Object(context, "traits", contextPath)) ?? [];
                ProfileTraits.Validate(properties, context, JsonFieldReader.Join(path, "traits"), contextPath, r);
                break;
            case MessageType.Track:
                var errorsBeforeEvent = r.Errors.Count;
                name = r.String(m, "event", path, MaxEventNameLength)?.Trim();
                if (string.IsNullOrEmpty(name))
                {
                    if (r.Errors.Count == errorsBeforeEvent) r.Add(JsonFieldReader.Join(path, "event"), "is required");
                    properties = [];
                    break;
                }
                properties = r.Object(m, "properties", path) ?? [];
                commerce = CommerceEvents.Read(name, properties, JsonFieldReader.Join(path, "properties"), r);
                break;
            default:
                properties = r.Object(m, "properties", path) ?? [];
                name = r.String(m, "name", path, MaxEventNameLength)?.Trim();
                break;
        }

        if (r.Errors.Count > errorsBefore) return null;
        return new InboundMessage
        {
            Type = type,
            MessageId = messageId,
            UserId = userId,
            AnonymousId = anonymousId,
            EventName = string.IsNullOrEmpty(name) ? null : name,
            Timestamp = timestamp,
            ReceivedAt = receivedAt,
            Properties = properties,
            Context = context,
            Commerce = commerce,
        };
    }

    /// <summary>
    /// Segment's rule: <c>timestamp</c> when given; else the device's <c>originalTimestamp</c> shifted by the
    /// difference between its clock (<c>sentAt</c>) and ours; else the time we received it.
    /// </summary>
    private static DateTimeOffset Timestamp(JsonObject m, string path, DateTimeOffset? batchSentAt, DateTimeOffset receivedAt, JsonFieldReader r)
    {
        var timestamp = r.Timestamp(m, "timestamp", path);
        var original = r.Timestamp(m, "originalTimestamp", path);
        var sentAt = r.Timestamp(m, "sentAt", path) ?? batchSentAt;
        if (timestamp is { } t) return t;
        if (original is { } o) return sentAt is { } s ? receivedAt - (s - o) : o;
        return receivedAt;
    }

    private static bool TryParseType(string name, out MessageType type)
    {
        switch (name)
        {
            case "identify": type = MessageType.Identify; return true;
            case "track": type = MessageType.Track; return true;
            case "page": type = MessageType.Page; return true;
            case "screen": type = MessageType.Screen; return true;
            default: type = default; return false;
        }
    }

    private static FieldError? Parse(ReadOnlySpan<byte> utf8Json, out JsonNode? root)
    {
        root = null;
        if (utf8Json.IsEmpty) return new FieldError("$", "the body is empty; send a JSON object");
        try
        {
            root = JsonNode.Parse(utf8Json, NodeOptions, DocumentOptions);
            return null;
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return new FieldError("$", $"malformed JSON at line {line}, column {column}");
        }
    }

    private static ReadResult Failed(FieldError error) => new([], [error]);

    private static ReadResult Failed(IReadOnlyList<FieldError> errors) => new([], errors);
}
