using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using RulesEngine.Models;

namespace Automation.Core.Journeys;

/// <summary>Builds the facts an expression sees from what storage holds.</summary>
public static class FactsBuilder
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>The customer's time zone, UTC when unknown.</summary>
    /// <summary>The zone of a customer without one, as facts and the scheduler's zone pages name it.</summary>
    public const string DefaultZone = "UTC";

    public static TimeZoneInfo ZoneOf(string? timezone) =>
        timezone is null ? TimeZoneInfo.Utc : Zones.GetOrAdd(timezone, id => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc);

    /// <param name="tiers">The tier program in force, for <c>customer.Perks</c>; null without one.</param>
    public static Facts Facts(CustomerSnapshot customer, JourneyInstance? instance, EventFacts @event, DateTimeOffset now, Tiers.TierProgram? tiers) =>
        new(Customer(customer, now, tiers), Stats(customer, now), Cart(customer.Cart, now), @event, Journey(instance, now), Now(customer.Profile, now));

    public static CustomerFacts Customer(CustomerSnapshot s, DateTimeOffset now, Tiers.TierProgram? tiers)
    {
        // Most customers of a scan hold no points (or were read without their ledger): skip walking an empty ledger.
        var holdsPoints = s.PointsLedger.Count > 0;
        var next = holdsPoints ? Points.PointsExpiry.Next(s.PointsLedger, now) : null;
        var coupons = s.Coupons.Count > 0 ? s.UsableCoupons(now).ToList() : [];
        var expiring = coupons.FirstOrDefault(c => c.ExpiresAt is not null);
        return new CustomerFacts
        {
            CouponsHeld = coupons.Count,
            CouponExpiringInDays = expiring?.ExpiresAt is { } expires ? (int)Math.Floor((expires - now).TotalDays) : -1,
            CouponExpiringHeldDays = expiring is null ? -1 : (int)Math.Floor((now - expiring.IssuedAt).TotalDays),
            PointsExpiringInDays = next is { } n ? (int)Math.Floor((n.At - now).TotalDays) : -1,
            PointsExpiring = next?.Points ?? 0,
            Id = s.Profile.ExternalId ?? s.Profile.AnonymousId ?? "",
            Email = s.Profile.Email ?? "",
            Phone = s.Profile.Phone ?? "",
            Name = s.Profile.Name ?? "",
            Timezone = s.Profile.Timezone ?? DefaultZone,
            Locale = s.Profile.Locale ?? "",
            Tier = s.Tier?.Tier ?? "",
            Perks = PerksFacts.Of(tiers?.Find(s.Tier?.Tier)?.Perks ?? Tiers.TierPerks.None),
            Points = holdsPoints ? s.PointsBalance(now) : 0,
            EmailConsent = s.Profile.Email is not null && !s.SuppressedChannels.Contains("email"),
            SmsConsent = s.Profile.Phone is not null && !s.SuppressedChannels.Contains("sms"),
            Tags = s.Tags,
            ReferredBy = s.ReferredBy ?? "",
            Traits = Flatten(s.Profile.Traits),
            DaysSinceLastEmailOpen = CustomerFactsTraits.DaysSince(s.Profile.Traits, CustomerFactsTraits.LastEmailOpenedAt, now),
            History = s.History,
            At = now,
        };
    }

    public static StatsFacts Stats(CustomerSnapshot customer, DateTimeOffset now) => Stats(customer.Stats, now, customer.Rfm, customer.Referrals);

    private static StatsFacts Stats(CustomerStats stats, DateTimeOffset now, RfmScore? rfm, int referrals) => new()
    {
        Referrals = referrals,
        Rfm = rfm is null ? new RfmFacts() : new RfmFacts { R = rfm.R, F = rfm.F, M = rfm.M, Spend365 = rfm.Spend365 },
        OrderCount = stats.OrderCount,
        TotalSpent = stats.TotalSpent,
        DaysSinceLastOrder = stats.DaysSinceLastOrder(now) ?? -1,
        MeanOrderIntervalDays = stats.MeanOrderIntervalDays ?? 0,
        DaysSinceFirstOrder = stats.DaysSinceFirstOrder(now) ?? -1,
        CouponOrderCount = stats.CouponOrderCount,
    };

    public static CartFacts Cart(Cart? cart, DateTimeOffset now) => cart is null
        ? new CartFacts()
        : new CartFacts
        {
            ItemCount = cart.ItemCount, Value = cart.Value, HoursSinceLastChange = cart.HoursSinceLastChange(now),
            Products = cart.Items.SelectMany(i => i.Sku is null ? [i.ProductId] : new[] { i.ProductId, i.Sku }).ToHashSet(StringComparer.Ordinal),
        };

    public static EventFacts Event(string? name, JsonObject? properties)
    {
        if (name is null || properties is null) return new EventFacts();
        var products = properties["products"] as JsonArray;
        return new EventFacts
        {
            Name = name,
            Properties = Flatten(properties),
            ProductId = Products.ProductEvents.Id(properties) ?? "",
            ProductNumbers = products is null ? new Dictionary<string, double>() : MaxPerKey(products),
        };
    }

    public static JourneyFacts Journey(JourneyInstance? instance, DateTimeOffset now)
    {
        if (instance is null) return new JourneyFacts();
        var sinceEntry = now - instance.EnteredAt;
        return new JourneyFacts
        {
            HoursSinceEntry = sinceEntry.TotalHours,
            DaysSinceEntry = sinceEntry.TotalDays,
            HoursSinceLastStep = (now - (instance.LastStepAt ?? instance.EnteredAt)).TotalHours,
            StepsDone = instance.StepsDone,
        };
    }

    public static NowFacts Now(CustomerProfile profile, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, ZoneOf(profile.Timezone));
        return new NowFacts
        {
            Hour = local.Hour,
            Weekday = (int)local.DayOfWeek,
            Day = local.Day,
            Month = local.Month,
            Year = local.Year,
            IsBirthday = profile.Birthday is { } b && IsBirthday(b, DateOnly.FromDateTime(local.DateTime)),
        };
    }

    // Someone born on 29 February celebrates on the 28th in other years.
    private static bool IsBirthday(DateOnly birthday, DateOnly today) =>
        birthday.Month == today.Month && (birthday.Day == today.Day ||
            (birthday is { Month: 2, Day: 29 } && today.Day == 28 && !DateTime.IsLeapYear(today.Year)));

    private static IReadOnlyDictionary<string, string> Flatten(JsonObject obj)
    {
        if (obj.Count == 0) return System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (value is JsonValue v)
                flat[key] = v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
        }
        return flat;
    }

    private static Dictionary<string, double> MaxPerKey(JsonArray products)
    {
        var max = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var product in products.OfType<JsonObject>())
        {
            foreach (var (key, value) in product)
            {
                if (value is JsonValue v && double.TryParse(v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString(),
                        NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                    max[key] = max.TryGetValue(key, out var seen) ? Math.Max(seen, n) : n;
            }
        }
        return max;
    }
}
