using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Presales;
using Automation.Core.Tiers;

namespace Automation.Core.Broadcasts;

/// <summary>
/// When a broadcast's message to one member is due: at the send time, at a wall-clock time in the member's own zone,
/// or when the member's tier's access to a pre-sale opens (with the <c>Presale Opened</c> event its templates read).
/// </summary>
public static class BroadcastTiming
{
    /// <summary>The form of a local time: a date and time of day without an offset.</summary>
    public const string LocalTimeFormat = "yyyy-MM-dd'T'HH:mm";

    /// <summary>The offset of the zones furthest ahead of UTC (Kiribati): a wall-clock time comes there first.</summary>
    public static readonly TimeSpan EarliestOffset = TimeSpan.FromHours(14);

    /// <summary>Reads a local time such as 2026-12-24T10:00; false for anything else (an offset included).</summary>
    public static bool TryParseLocal(string text, out DateTime local) =>
        DateTime.TryParseExact(text, LocalTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out local);

    /// <summary>The first moment anywhere on Earth the wall clock shows <paramref name="local"/>.</summary>
    public static DateTimeOffset FirstArrival(DateTime local) => new(local, EarliestOffset);

    /// <summary>
    /// <paramref name="local"/> in <paramref name="timezone"/> (UTC for a customer without one, as quiet hours take it);
    /// a time skipped by a daylight-saving jump is taken as the hour after.
    /// </summary>
    public static DateTimeOffset InZone(DateTime local, string? timezone)
    {
        var zone = FactsBuilder.ZoneOf(timezone);
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall)) wall = wall.AddHours(1);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    /// <summary>
    /// The member's due time (never before <paramref name="now"/>) and the trigger event their message's templates see
    /// (null outside a pre-sale).
    /// </summary>
    public static (DateTimeOffset DueAt, JsonObject? TriggerEvent) For(Broadcast broadcast, CustomerSnapshot member, Presale? sale, TierProgram? tiers,
        DateTimeOffset now)
    {
        if (sale is not null)
        {
            var tier = tiers?.Find(member.Tier?.Tier);
            var due = Later(sale.OpensFor(tier).ToUniversalTime(), now);
            var properties = PresaleAnnouncer.Properties(sale, tier, early: due < sale.OpensAt);
            return (due, new JsonObject { ["name"] = PresaleAnnouncer.PresaleOpened, ["properties"] = properties });
        }
        if (broadcast.LocalTime is { } text && TryParseLocal(text, out var local))
            return (Later(InZone(local, member.Profile.Timezone).ToUniversalTime(), now), null);
        return (now, null);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
