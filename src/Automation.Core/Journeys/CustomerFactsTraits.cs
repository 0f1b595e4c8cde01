using System.Globalization;
using System.Text.Json.Nodes;

namespace Automation.Core;

/// <summary>Traits the server itself keeps on a profile, read back as facts rules use.</summary>
public static class CustomerFactsTraits
{
    /// <summary>When the customer last opened a tracked email as a reader (ISO 8601), set by the open pixel.</summary>
    public const string LastEmailOpenedAt = "last_email_opened_at";

    /// <summary>Whole days from the time in trait <paramref name="name"/> to <paramref name="now"/>; -1 when the trait holds no time.</summary>
    public static int DaysSince(JsonObject traits, string name, DateTimeOffset now) =>
        traits[name] is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Math.Max(0, (int)(now - at).TotalDays)
            : -1;
}
