using System.Globalization;
using System.Net;
using DotLiquid;

namespace Automation.Core.Messaging;

/// <summary>
/// Filters templates may use besides Liquid's standard ones: <c>money</c> in the customer's currency and locale,
/// <c>local_date</c> in the customer's time zone, <c>safe_url</c> for links from event data, and <c>raw</c> to print a
/// value unescaped in HTML.
/// </summary>
public static class LiquidFilters
{
    /// <summary><c>{{ cart.value | money }}</c> → "$24.00"; <c>{{ 5 | money: "EUR" }}</c> for another currency.</summary>
    public static string Money(Context context, object input, string? currency = null)
    {
        var amount = System.Convert.ToDecimal(input, CultureInfo.InvariantCulture);
        return FormatMoney(amount, currency ?? (string)context.Registers["currency"], (CultureInfo)context.Registers["culture"]);
    }

    /// <summary>An amount as money in a culture, as the <c>money</c> filter prints it: "$24.00", "24.00 CHF".</summary>
    public static string FormatMoney(decimal amount, string currency, CultureInfo culture)
    {
        var code = currency.ToUpperInvariant();
        var symbol = Symbol(code, culture);
        var formatted = amount.ToString("N2", culture.Name.Length == 0 ? CultureInfo.GetCultureInfo("en-US") : culture);
        return symbol is null ? $"{formatted} {code}" : $"{symbol}{formatted}";
    }

    /// <summary><c>{{ journey.entered_at | local_date: "yyyy-MM-dd HH:mm" }}</c>, in the customer's time zone (.NET format).</summary>
    public static string LocalDate(Context context, object input, string format = "yyyy-MM-dd")
    {
        var instant = input switch
        {
            DateTimeOffset d => d,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            _ => throw new FormatException($"local_date needs a date, not '{input}'"),
        };
        var local = TimeZoneInfo.ConvertTime(instant, (TimeZoneInfo)context.Registers["zone"]);
        return local.ToString(format, (CultureInfo)context.Registers["culture"]);
    }

    /// <summary>
    /// <c>{{ item.url | safe_url }}</c>: the URL when it is an absolute http or https address, else empty. Links from
    /// event data go through it, so a product url of <c>javascript:…</c> or <c>data:…</c> never reaches an href.
    /// </summary>
    public static string SafeUrl(object? input) =>
        Uri.TryCreate(input?.ToString()?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : "";

    /// <summary>Prints a value as it is in an HTML part (values there are escaped by default).</summary>
    public static string Raw(Context context, object input) =>
        context.Registers["html"] is true ? WebUtility.HtmlDecode(input?.ToString() ?? "") : input?.ToString() ?? "";

    private static string? Symbol(string code, CultureInfo culture)
    {
        if (culture.Name.Length > 0)
        {
            var region = new RegionInfo(culture.Name.Contains('-') ? culture.Name : "US");
            if (region.ISOCurrencySymbol == code) return region.CurrencySymbol;
        }
        return code switch
        {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "CNY" => "¥",
            "JPY" => "¥",
            _ => null,
        };
    }
}
