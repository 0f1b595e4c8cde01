using System.Globalization;
using System.Text.Json;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// An event's stored properties as fields a person reads — <c>products[0].name: Green tea</c> — rather than JSON text
/// with its escapes (<c>\u002B</c> for a plus sign).
/// </summary>
internal static class EventFields
{
    private const int MaxFields = 40;

    /// <summary>The properties' leaf values with their paths, in order; at most <see cref="MaxFields"/>, then a count of the rest.</summary>
    public static IReadOnlyList<(string Name, string Value)> Of(string json)
    {
        var fields = new List<(string, string)>();
        try
        {
            using var document = JsonDocument.Parse(json);
            Walk(document.RootElement, "", fields);
        }
        catch (JsonException)
        {
            return [("", json)];
        }
        return fields.Count <= MaxFields ? fields : [.. fields.Take(MaxFields), ("…", $"{fields.Count - MaxFields} more")];
    }

    private static void Walk(JsonElement element, string path, List<(string, string)> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", fields);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), fields);
                if (index == 0) fields.Add((path, "(none)"));
                break;
            case JsonValueKind.String:
                fields.Add((path, element.GetString() ?? ""));
                break;
            case JsonValueKind.Null:
                fields.Add((path, "null"));
                break;
            default:
                fields.Add((path, element.GetRawText()));
                break;
        }
    }
}
