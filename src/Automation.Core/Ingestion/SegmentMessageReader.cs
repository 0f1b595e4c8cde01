using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Automation.Core.Ingestion;

/// <summary>
/// The messages read from one request. <see cref="Errors"/> are problems of the whole request (nothing of it is
/// taken); <see cref="Rejected"/> are the messages of a batch refused one by one while their siblings are taken.
/// </summary>
public sealed record ReadResult(IReadOnlyList<InboundMessage> Messages, IReadOnlyList<FieldError> Errors, IReadOnlyList<RejectedMessage> Rejected)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>A message of a batch that was refused, with every problem found in it and the message as it came.</summary>
/// <param name="Index">Its place in the batch, from 0.</param>
/// <param name="MessageId">Its <c>messageId</c> when that could be read.</param>
/// <param name="Json">The message as JSON, with any character a database cannot hold escaped.</param>
public sealed record RejectedMessage(int Index, string? MessageId, IReadOnlyList<FieldError> Errors, string Json);

/// <summary>
/// Reads Segment HTTP Tracking API bodies (<c>identify</c>, <c>track</c>, <c>page</c>, <c>screen</c>, <c>group</c>,
/// <c>alias</c>, <c>batch</c>) into <see cref="InboundMessage"/>s, collecting problems with their JSON paths. A
/// single message with a problem is refused whole; in a batch, a message with a problem is refused alone
/// (<see cref="ReadResult.Rejected"/>) and its valid siblings are taken, as Segment does, since clients do not
/// resend a batch answered with 400. A timestamp further ahead of the receive time than
/// <paramref name="futureTolerance"/> (5 minutes by default) is replaced by the receive time. A phone number without
/// a country code is read as a number of <paramref name="defaultRegion"/> (ISO 3166, such as CN).
/// </summary>
public sealed class SegmentMessageReader(TimeProvider clock, TimeSpan? futureTolerance = null, string? defaultRegion = null)
{
    /// <summary>The context key where a message whose timestamp was in the future keeps the timestamp it came with.</summary>
    public const string FutureTimestampKey = "futureTimestamp";

    private readonly TimeSpan _futureTolerance = futureTolerance ?? TimeSpan.FromMinutes(5);

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
        var read = ReadChecked(message, type, "", batchContext: null, batchSentAt: null, clock.GetUtcNow(), reader);
        return reader.Errors.Count > 0 || read is null ? Failed(reader.Errors) : new ReadResult([read], [], []);
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
        if (batchContext is not null) UnstorableText.Check(batchContext, "context", reader);
        var batchSentAt = reader.Timestamp(body, "sentAt", "");
        if (reader.Errors.Count > 0) return Failed(reader.Errors);

        var receivedAt = clock.GetUtcNow();
        var messages = new List<InboundMessage>(items.Count);
        var rejected = new List<RejectedMessage>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"batch[{i}]";
            var one = new JsonFieldReader([]);
            var message = items[i] is JsonObject item ? ReadItem(item, path, batchContext, batchSentAt, receivedAt, one) : null;
            if (items[i] is not JsonObject) one.Add(path, $"must be an object, not {JsonFieldReader.Describe(items[i])}");
            if (message is not null && one.Errors.Count == 0) messages.Add(message);
            else rejected.Add(new RejectedMessage(i, MessageIdOf(items[i]), one.Errors, UnstorableText.Escaped(items[i])));
        }
        return new ReadResult(messages, [], rejected);
    }

    private InboundMessage? ReadItem(JsonObject item, string path, JsonObject? batchContext, DateTimeOffset? batchSentAt, DateTimeOffset receivedAt,
        JsonFieldReader reader)
    {
        var typeName = reader.String(item, "type", path, 20);
        if (typeName is null)
        {
            if (reader.Errors.Count == 0) reader.Add(JsonFieldReader.Join(path, "type"), "is required: identify, track, page, screen, group or alias");
            return null;
        }
        if (!TryParseType(typeName, out var type))
        {
            reader.Add(JsonFieldReader.Join(path, "type"), $"'{typeName}' is not supported: use identify, track, page, screen, group or alias");
            return null;
        }
        return ReadChecked(item, type, path, batchContext, batchSentAt, receivedAt, reader);
    }

    private static string? MessageIdOf(JsonNode? item)
    {
        try
        {
            return item is JsonObject o && o["messageId"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                && v.GetValue<string>() is { Length: > 0 and <= JsonFieldReader.MaxIdLength } id && UnstorableText.IsStorable(id) ? id : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A message whose every string a database can store, then read.</summary>
    private InboundMessage? ReadChecked(JsonObject m, MessageType type, string path, JsonObject? batchContext,
        DateTimeOffset? batchSentAt, DateTimeOffset receivedAt, JsonFieldReader r)
    {
        UnstorableText.Check(m, path, r);
        return r.Errors.Count > 0 ? null : ReadOne(m, type, path, batchContext, batchSentAt, receivedAt, r);
    }

    private InboundMessage? ReadOne(JsonObject m, MessageType type, string path, JsonObject? batchContext,
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
        if (timestamp > receivedAt + _futureTolerance)
        {
            // Segment's rule for a device clock far ahead: the event happened when it reached us. The time it claimed is kept.
            context = context is null ? [] : (JsonObject)context.DeepClone();
            context[FutureTimestampKey] = timestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            timestamp = receivedAt;
        }

        string? name = null;
        JsonObject properties;
        CommerceFact? commerce = null;
        switch (type)
        {
            case MessageType.Identify:
                properties = r.Object(m, "traits", path) ?? (context is null ? null : r.Object(context, "traits", contextPath)) ?? [];
                ProfileTraits.Validate(properties, context, JsonFieldReader.Join(path, "traits"), contextPath, r, defaultRegion);
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
            case MessageType.Group:
                // The group id is the event's name; its traits are the event's properties and land on the profile.
                name = r.Id(m, "groupId", path);
                if (name is null && r.Errors.Count == errorsBefore) r.Add(JsonFieldReader.Join(path, "groupId"), "is required");
                properties = r.Object(m, "traits", path) ?? [];
                break;
            case MessageType.Alias:
                // The previous id is taken as the anonymous id, which resolution then binds to the user id as identify does.
                var previousId = r.Id(m, "previousId", path);
                if (previousId is null && r.Errors.Count == errorsBefore) r.Add(JsonFieldReader.Join(path, "previousId"), "is required");
                if (userId is null && r.Errors.Count == errorsBefore) r.Add(JsonFieldReader.Join(path, "userId"), "is required");
                anonymousId = previousId;
                properties = new JsonObject { ["previousId"] = previousId };
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
        if (original is not { } o) return receivedAt;
        if (sentAt is not { } s) return o;
        var skew = s - o;
        if (skew > receivedAt - DateTimeOffset.MinValue || skew < receivedAt - DateTimeOffset.MaxValue)
        {
            r.Add(JsonFieldReader.Join(path, "originalTimestamp"), $"is {skew.TotalDays:F0} days before sentAt: corrected for the device's clock it is no date at all");
            return receivedAt;
        }
        return receivedAt - skew;
    }

    private static bool TryParseType(string name, out MessageType type)
    {
        switch (name)
        {
            case "identify": type = MessageType.Identify; return true;
            case "track": type = MessageType.Track; return true;
            case "page": type = MessageType.Page; return true;
            case "screen": type = MessageType.Screen; return true;
            case "group": type = MessageType.Group; return true;
            case "alias": type = MessageType.Alias; return true;
            default: type = default; return false;
        }
    }

    private static FieldError? Parse(ReadOnlySpan<byte> utf8Json, out JsonNode? root)
    {
        root = null;
        if (utf8Json.IsEmpty) return new FieldError("$", "the body is empty; send a JSON object");
        if (!Utf8.IsValid(utf8Json)) return new FieldError("$", "the body is not UTF-8 text");
        try
        {
            root = JsonNode.Parse(utf8Json, NodeOptions, DocumentOptions);
            // Reads the top level's names now: one given twice there spoils the whole body.
            _ = (root as JsonObject)?.Count;
            return null;
        }
        catch (ArgumentException)
        {
            return new FieldError("$", "names a property twice");
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            return new FieldError("$", $"malformed JSON at line {line}, column {column}");
        }
    }

    private static ReadResult Failed(FieldError error) => new([], [error], []);

    private static ReadResult Failed(IReadOnlyList<FieldError> errors) => new([], errors, []);
}
