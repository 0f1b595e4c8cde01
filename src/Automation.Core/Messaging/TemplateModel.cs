using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using DotLiquid;

namespace Automation.Core.Messaging;

/// <summary>
/// What a template sees: <c>customer</c> (with <c>customer.coupons</c>, the codes held and usable), <c>stats</c>, <c>cart</c>, <c>event</c>, <c>journey</c>, <c>coupon</c>,
/// <c>context</c> (the step's action context) and <c>unsubscribe_url</c>; twice over, plain and HTML-escaped.
/// </summary>
public sealed class TemplateModel
{
    private TemplateModel(Hash plain, Hash html, string? locale, TimeZoneInfo zone, CultureInfo culture, string currency)
    {
        Plain = plain;
        Html = html;
        Locale = locale;
        Zone = zone;
        Culture = culture;
        Currency = currency;
    }

    public Hash Plain { get; }
    public Hash Html { get; }
    public string? Locale { get; }
    public TimeZoneInfo Zone { get; }
    public CultureInfo Culture { get; }

    /// <summary>For the <c>money</c> filter: the cart's or the triggering order's currency, else the default.</summary>
    public string Currency { get; }

    public static TemplateModel For(CustomerSnapshot customer, string journey, string step, DateTimeOffset enteredAt, JsonObject? triggerEvent,
        JsonObject actionContext, string unsubscribeUrl, string defaultCurrency, DateTimeOffset now, Tiers.TierDefinition? tier = null)
    {
        var profile = customer.Profile;
        var eventProperties = triggerEvent?["properties"] as JsonObject ?? [];
        var currency = customer.Cart?.Currency ?? (eventProperties["currency"] as JsonValue)?.ToString()?.ToUpperInvariant() ?? defaultCurrency;
        var firstName = (profile.Traits["firstName"] as JsonValue)?.ToString() ?? profile.Name?.Split(' ')[0];
        var nextExpiry = Points.PointsExpiry.Next(customer.PointsLedger, now);
        var culture = CultureOf(profile.Locale);
        var zone = FactsBuilder.ZoneOf(profile.Timezone);
        var values = new Dictionary<string, object?>
        {
            ["customer"] = new Dictionary<string, object?>
            {
                ["id"] = profile.ExternalId ?? profile.AnonymousId,
                ["email"] = profile.Email,
                ["phone"] = profile.Phone,
                ["name"] = profile.Name ?? "",
                ["first_name"] = firstName ?? "",
                ["locale"] = profile.Locale,
                ["timezone"] = profile.Timezone ?? "UTC",
                ["tier"] = customer.Tier?.Tier ?? "",
                ["tier_since"] = customer.Tier?.Since.UtcDateTime,
                ["tier_multiplier"] = tier?.Multiplier ?? 1m,
                ["tier_perks"] = tier is null ? new Dictionary<string, object?>() : Values(tier.Perks),
                ["points"] = customer.PointsBalance(now),
                ["points_expiring"] = nextExpiry?.Points ?? 0,
                ["points_expire_on"] = nextExpiry?.At.UtcDateTime,
                ["coupons"] = customer.UsableCoupons(now).Select(c => CouponValues(c, culture, zone)).ToList(),
                ["tags"] = customer.Tags.ToList(),
                ["traits"] = Values(profile.Traits),
            },
            ["stats"] = new Dictionary<string, object?>
            {
                ["order_count"] = customer.Stats.OrderCount,
                ["total_spent"] = customer.Stats.TotalSpent,
                ["days_since_last_order"] = customer.Stats.DaysSinceLastOrder(now),
                ["mean_order_interval_days"] = customer.Stats.MeanOrderIntervalDays,
            },
            ["cart"] = new Dictionary<string, object?>
            {
                ["item_count"] = customer.Cart?.ItemCount ?? 0,
                ["value"] = customer.Cart?.Value ?? 0m,
                ["currency"] = currency,
                ["items"] = (customer.Cart?.Items ?? []).Select(i => new Dictionary<string, object?>
                {
                    ["product_id"] = i.ProductId, ["sku"] = i.Sku, ["name"] = i.Name ?? i.ProductId, ["price"] = i.Price,
                    ["quantity"] = i.Quantity, ["line_total"] = i.LineTotal, ["url"] = i.Url, ["image"] = i.ImageUrl, ["category"] = i.Category,
                }).ToList(),
            },
            ["event"] = new Dictionary<string, object?>
            {
                ["name"] = triggerEvent?["name"]?.ToString(),
                ["properties"] = Values(eventProperties),
            },
            ["journey"] = new Dictionary<string, object?> { ["name"] = journey, ["step"] = step, ["entered_at"] = enteredAt.UtcDateTime },
            ["coupon"] = Coupon(actionContext["Coupon"], culture, zone),
            ["context"] = Values(actionContext),
            ["unsubscribe_url"] = unsubscribeUrl,
        };
        return new TemplateModel(ToHash(values, escape: false), ToHash(values, escape: true), profile.Locale, zone, culture, currency);
    }

    /// <summary>
    /// The code the message carries, its value and minimum spend as money and its expiry as a date in the customer's
    /// locale and zone. A step not yet sent (a preview, a check) names only the campaign: its code reads as such.
    /// </summary>
    private static Dictionary<string, object?> Coupon(JsonNode? node, CultureInfo culture, TimeZoneInfo zone)
    {
        if (Coupons.IssuedCoupon.FromContext(node) is { } coupon) return CouponValues(coupon, culture, zone);
        var campaign = (node as JsonValue)?.ToString();
        return new() { ["code"] = campaign is null ? "" : $"({campaign} code)", ["campaign"] = campaign ?? "", ["value"] = "", ["minimum_spend"] = "", ["expires_at"] = "" };
    }

    private static Dictionary<string, object?> CouponValues(Coupons.IssuedCoupon coupon, CultureInfo culture, TimeZoneInfo zone)
    {
        var local = coupon.ExpiresAt is { } expires ? TimeZoneInfo.ConvertTime(expires, zone) : (DateTimeOffset?)null;
        return new()
        {
            ["code"] = coupon.Code,
            ["campaign"] = coupon.Campaign,
            ["value"] = coupon.Value.Format(culture),
            ["amount"] = coupon.Value.Amount,
            ["percent_off"] = coupon.Value.Kind == Coupons.CouponValueKind.PercentOff,
            ["minimum_spend"] = coupon.MinimumSpend is { } spend && coupon.Value.Currency is { } currency ? LiquidFilters.FormatMoney(spend, currency, culture)
                : coupon.MinimumSpend?.ToString("0.##", culture) ?? "",
            ["expires_at"] = local?.ToString("D", culture) ?? "",
            ["expires_at_time"] = coupon.ExpiresAt?.UtcDateTime,
        };
    }

    private static CultureInfo CultureOf(string? locale)
    {
        try
        {
            return locale is null ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }

    private static Dictionary<string, object?> Values(JsonObject obj) =>
        obj.ToDictionary(p => p.Key, p => Value(p.Value));

    private static object? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => Values(o),
        JsonArray a => a.Select(Value).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when v.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number => decimal.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };

    // URLs in the model are ours or the shop's; escaping still applies, so an attacker-supplied one cannot break out of an attribute.
    private static Hash ToHash(Dictionary<string, object?> values, bool escape)
    {
        var hash = new Hash();
        foreach (var (key, value) in values) hash[key] = Convert(value, escape);
        return hash;
    }

    private static object? Convert(object? value, bool escape) => value switch
    {
        string s => escape ? WebUtility.HtmlEncode(s) : s,
        Dictionary<string, object?> d => ToHash(d, escape),
        IEnumerable<object?> list => list.Select(i => Convert(i, escape)).ToList(),
        _ => value,
    };
}
