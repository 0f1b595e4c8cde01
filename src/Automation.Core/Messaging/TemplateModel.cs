using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Fluid.Values;

namespace Automation.Core.Messaging;

/// <summary>
/// What a template sees: <c>customer</c> (with <c>customer.coupons</c>, the codes held and usable), <c>tier</c> (the tier held, its
/// perks and the distance to the next), <c>points</c> (balance, value and expiring, see <see cref="PointsValues"/>), <c>stats</c>,
/// <c>cart</c>, <c>event</c>, <c>journey</c>, <c>coupon</c>,
/// <c>context</c> (the step's action context) and <c>unsubscribe_url</c>; twice over, plain and HTML-escaped.
/// </summary>
public sealed class TemplateModel
{
    private readonly Dictionary<string, object?> _values;
    private TemplateHash? _html;

    private TemplateModel(Dictionary<string, object?> values, string? locale, TimeZoneInfo zone, CultureInfo culture, string currency)
    {
        _values = values;
        Plain = ToHash(values, escape: false);
        Locale = locale;
        Zone = zone;
        Culture = culture;
        Currency = currency;
    }

    /// <summary>The model as text parts see it.</summary>
    public TemplateHash Plain { get; }

    /// <summary>
    /// The model as HTML parts see it: every string HTML-escaped (<c>| raw</c> undoes it). Built on first use: an SMS
    /// or WeChat message has no HTML part, so converting the model a second time is wasted on it.
    /// </summary>
    public TemplateHash Html => _html ??= ToHash(_values, escape: true);
    public string? Locale { get; }
    public TimeZoneInfo Zone { get; }
    public CultureInfo Culture { get; }

    /// <summary>For the <c>money</c> filter: the cart's or the triggering order's currency, else the default.</summary>
    public string Currency { get; }

    /// <param name="tier">The definition of the tier the customer holds, or null.</param>
    /// <param name="next">The next tier up and what the customer lacks of it over the tier window, or null (at the top, or no tiers).</param>
    public static TemplateModel For(CustomerSnapshot customer, string journey, string step, DateTimeOffset enteredAt, JsonObject? triggerEvent,
        JsonObject actionContext, string unsubscribeUrl, string defaultCurrency, DateTimeOffset now, Tiers.TierDefinition? tier = null, Tiers.NextTier? next = null,
        Points.PointsSettings? points = null)
    {
        var profile = customer.Profile;
        var eventProperties = triggerEvent?["properties"] as JsonObject ?? [];
        var currency = customer.Cart?.Currency ?? (eventProperties["currency"] as JsonValue)?.ToString()?.ToUpperInvariant() ?? defaultCurrency;
        var firstName = (profile.Traits["firstName"] as JsonValue)?.ToString() ?? profile.Name?.Split(' ')[0];
        var nextExpiry = Points.PointsExpiry.Next(customer.PointsLedger, now);
        var culture = CultureOf(profile.Locale);
        var zone = FactsBuilder.ZoneOf(profile.Timezone);
        var perks = Values((tier?.Perks ?? Tiers.TierPerks.None).ToJson());
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
                ["tier_perks"] = perks,
                ["points"] = customer.PointsBalance(now),
                ["points_expiring"] = nextExpiry?.Points ?? 0,
                ["points_expire_on"] = nextExpiry?.At.UtcDateTime,
                ["coupons"] = customer.UsableCoupons(now).Select(c => CouponValues(c, culture, zone)).ToList(),
                ["tags"] = customer.Tags.ToList(),
                ["traits"] = Values(profile.Traits),
            },
            ["tier"] = new Dictionary<string, object?>
            {
                ["name"] = customer.Tier?.Tier ?? "",
                ["since"] = customer.Tier?.Since.UtcDateTime,
                ["multiplier"] = tier?.Multiplier ?? 1m,
                ["perks"] = perks,
                ["next"] = NextTierValues(next, defaultCurrency, culture),
            },
            ["points"] = PointsValues(customer, points ?? new Points.PointsSettings(), defaultCurrency, culture, now),
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
        return new TemplateModel(values, profile.Locale, zone, culture, currency);
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

    // Thresholds are in the shop's currency. A figure the next tier does not ask for is null, so {% if %} skips it.
    private static Dictionary<string, object?> NextTierValues(Tiers.NextTier? next, string currency, CultureInfo culture) => new()
    {
        ["name"] = next?.Tier.Name,
        ["remaining_spend"] = next?.SpendNeeded is { } spend ? LiquidFilters.FormatMoney(spend, currency, culture) : null,
        ["remaining_spend_amount"] = next?.SpendNeeded,
        ["remaining_orders"] = next?.OrdersNeeded,
    };

    /// <summary>
    /// <c>points.balance</c>; <c>points.value</c>, what the balance is worth at checkout as money in the customer's
    /// locale (points are worth <see cref="Points.PointsSettings.Value"/> of the default currency each);
    /// <c>points.expiring</c>: <c>points</c>, <c>value</c> and <c>on</c> of the next lot to lapse (0 and nil when none).
    /// </summary>
    private static Dictionary<string, object?> PointsValues(CustomerSnapshot customer, Points.PointsSettings settings, string currency, CultureInfo culture, DateTimeOffset now)
    {
        var balance = customer.PointsBalance(now);
        var next = Points.PointsExpiry.Next(customer.PointsLedger, now);
        return new Dictionary<string, object?>
        {
            ["balance"] = balance,
            ["value"] = LiquidFilters.FormatMoney(balance * settings.Value, currency, culture),
            ["expiring"] = new Dictionary<string, object?>
            {
                ["points"] = next?.Points ?? 0,
                ["value"] = LiquidFilters.FormatMoney((next?.Points ?? 0) * settings.Value, currency, culture),
                ["on"] = next?.At.UtcDateTime,
            },
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
    internal static TemplateHash ToHash(Dictionary<string, object?> values, bool escape, TemplateHash? parent = null, string? name = null)
    {
        var converted = new Dictionary<string, FluidValue>(values.Count, StringComparer.Ordinal);
        var hash = new TemplateHash(converted, parent, name);
        foreach (var (key, value) in values) converted[key] = Convert(value, escape, hash, key);
        return hash;
    }

    private static FluidValue Convert(object? value, bool escape, TemplateHash owner, string key) => value switch
    {
        null => NilValue.Instance,
        string s => StringValue.Create(escape ? WebUtility.HtmlEncode(s) : s),
        bool b => BooleanValue.Create(b),
        int or long or decimal or double => NumberValue.Create(System.Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        DateTime d => DateTimeValue.Create(new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))),
        Dictionary<string, object?> d => ToHash(d, escape, owner, key),
        IEnumerable<object?> list => ArrayValue.Create([.. list.Select((item, i) => Convert(item, escape, owner, $"{key}[{i}]"))]),
        _ => throw new ArgumentException($"the template model cannot hold a {value.GetType().Name} ('{key}')", nameof(value)),
    };
}
