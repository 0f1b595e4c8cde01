using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Automation.Core.Ingestion;

/// <summary>
/// Reads typed values out of a JSON object and records a <see cref="FieldError"/> naming the full path
/// for every value of the wrong type, so a request is answered with all its problems at once.
/// </summary>
internal sealed class JsonFieldReader(List<FieldError> errors)
{
    public const int MaxIdLength = 200;

    public List<FieldError> Errors { get; } = errors;

    public void Add(string field, string message) => Errors.Add(new FieldError(field, message));

    public static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    /// <summary>A string; absent or null gives null. Longer than <paramref name="maxLength"/> is an error.</summary>
    public string? String(JsonObject obj, string name, string path, int maxLength = 10_000)
    {
        var node = obj[name];
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var s = v.GetValue<string>();
            if (s.Length > maxLength)
            {
                Add(Join(path, name), $"must be at most {maxLength} characters");
                return null;
            }
            return s;
        }
        Add(Join(path, name), $"must be a string, not {Describe(node)}");
        return null;
    }

    /// <summary>An identifier: a string, or a whole number that some clients send for ids. Blank counts as absent.</summary>
    public string? Id(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null) return null;
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.String:
                    var s = v.GetValue<string>().Trim();
                    if (s.Length > MaxIdLength)
                    {
                        Add(Join(path, name), $"must be at most {MaxIdLength} characters");
                        return null;
                    }
                    return s.Length == 0 ? null : s;
                case JsonValueKind.Number when v.TryGetValue<long>(out var n):
                    return n.ToString(CultureInfo.InvariantCulture);
            }
        }
        Add(Join(path, name), $"must be a string, not {Describe(node)}");
        return null;
    }

    /// <summary>A number, or a string holding one (invariant culture).</summary>
    public decimal? Number(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null) return null;
        if (node is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.Number when v.TryGetValue<decimal>(out var d):
                    return d;
                case JsonValueKind.String when decimal.TryParse(v.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
            }
        }
        Add(Join(path, name), $"must be a number, not {Describe(node)}");
        return null;
    }

    /// <summary>A whole number within <paramref name="min"/>..<paramref name="max"/>.</summary>
    public int? WholeNumber(JsonObject obj, string name, string path, int min, int max)
    {
        var errorsBefore = Errors.Count;
        var value = Number(obj, name, path);
        if (value is null) return null;
        if (value != decimal.Truncate(value.Value) || value < min || value > max)
        {
            if (Errors.Count == errorsBefore) Add(Join(path, name), $"must be a whole number from {min} to {max}");
            return null;
        }
        return (int)value.Value;
    }

    /// <summary>An ISO 8601 date-time, converted to UTC; without an offset it is taken as UTC.</summary>
    public DateTimeOffset? Timestamp(JsonObject obj, string name, string path)
    {
        var s = String(obj, name, path, 100);
        if (s is null) return null;
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value))
            return value.ToUniversalTime();
        Add(Join(path, name), $"must be an ISO 8601 date-time such as 2026-11-23T14:30:00Z, not '{s}'");
        return null;
    }

    /// <summary>A nested object; absent or null gives null.</summary>
    public JsonObject? Object(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null) return null;
        if (node is JsonObject o) return o;
        Add(Join(path, name), $"must be an object, not {Describe(node)}");
        return null;
    }

    /// <summary>A nested array; absent or null gives null.</summary>
    public JsonArray? Array(JsonObject obj, string name, string path)
    {
        var node = obj[name];
        if (node is null) return null;
        if (node is JsonArray a) return a;
        Add(Join(path, name), $"must be an array, not {Describe(node)}");
        return null;
    }

    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "an unknown value",
    };
}
