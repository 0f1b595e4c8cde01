using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// An audit entry's before and after side by side, one row per field of either (fields in the order they first
/// appear), each marked when it changed; a state that is no JSON object is one row of its whole text.
/// </summary>
internal static class AuditDiff
{
    public sealed record Row(string Field, string? Before, string? After)
    {
        public bool Changed => Before != After;
    }

    public static IReadOnlyList<Row> Of(string? before, string? after)
    {
        var (b, a) = (Parse(before), Parse(after));
        if ((before is not null && b is null) || (after is not null && a is null)) return [new Row("", before, after)];
        var fields = (b?.Select(p => p.Key) ?? []).Concat(a?.Select(p => p.Key) ?? []).Distinct(StringComparer.Ordinal);
        return [.. fields.Select(f => new Row(f, Text(b, f), Text(a, f)))];
    }

    private static JsonObject? Parse(string? json)
    {
        if (json is null) return null;
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject? state, string field) =>
        state is null || !state.TryGetPropertyValue(field, out var value) ? null
        : value is JsonValue v && v.TryGetValue<string>(out var text) ? text
        : value?.ToJsonString() ?? "null";
}
