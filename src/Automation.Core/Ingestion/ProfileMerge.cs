using System.Text.Json.Nodes;
using Automation.Core.Customers;

namespace Automation.Core.Ingestion;

/// <summary>
/// Applies an <c>identify</c> to a profile, placed by its timestamp: a newer identify overwrites the traits it
/// names; an older one, arriving late, only fills traits the profile does not have yet.
/// </summary>
public static class ProfileMerge
{
    public static CustomerProfile Apply(CustomerProfile current, JsonObject traits, DateTimeOffset timestamp, DateTimeOffset now)
    {
        var isNewer = current.TraitsUpdatedAt is not { } last || timestamp >= last;
        var merged = (JsonObject)current.Traits.DeepClone();
        foreach (var (key, value) in traits)
        {
            if (isNewer || !merged.ContainsKey(key)) merged[key] = value?.DeepClone();
        }
        return current with
        {
            Traits = merged,
            Email = ProfileTraits.Text(merged, "email"),
            Phone = ProfileTraits.Text(merged, "phone"),
            Name = ProfileTraits.Name(merged),
            Birthday = ProfileTraits.Birthday(merged),
            Timezone = ProfileTraits.Text(merged, "timezone"),
            Locale = ProfileTraits.Text(merged, "locale"),
            TraitsUpdatedAt = isNewer ? timestamp : current.TraitsUpdatedAt,
            UpdatedAt = now,
        };
    }
}
