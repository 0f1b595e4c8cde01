using System.Text.Json.Nodes;
using Automation.Core.Customers;

namespace Automation.Core.Ingestion;

/// <summary>
/// Applies an <c>identify</c> to a profile, placed by its timestamp: a newer identify overwrites the traits it
/// names; an older one, arriving late, only fills traits the profile does not have yet.
/// </summary>
public static class ProfileMerge
{
    /// <summary>
    /// The traits a message sets on the profile: an identify's own; for a group, <c>groupId</c> and each trait of the
    /// group as <c>group.NAME</c>, so rules read them as <c>customer.Trait("groupId")</c> and <c>customer.Trait("group.plan")</c>.
    /// </summary>
    public static JsonObject TraitsOf(InboundMessage message)
    {
        if (message.Type != MessageType.Group) return message.Properties;
        var traits = new JsonObject { ["groupId"] = message.EventName };
        foreach (var (key, value) in message.Properties) traits[$"group.{key}"] = value?.DeepClone();
        return traits;
    }

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
