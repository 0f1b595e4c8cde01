using System.Globalization;
using System.Net;
using Fluid;
using Fluid.Values;

namespace Automation.Core.Messaging;

/// <summary>
/// Filters templates may use besides Liquid's standard ones: <c>money</c> in the customer's currency and locale,
/// <c>local_date</c> in the customer's time zone, <c>safe_url</c> for links from event data, and <c>raw</c> to print a
/// value unescaped in HTML.
/// </summary>
public static class LiquidFilters
{
    /// <summary>Adds the filters to Fluid's standard ones (<c>raw</c> replaces Fluid's, which only skips the encoder).</summary>
    internal static void Register(FilterCollection filters)
    {
        filters.AddFilter("money", (input, arguments, context) => Text(Money(input, arguments.At(0), Message(context))));
        filters.AddFilter("local_date", (input, arguments, context) => Text(LocalDate(input, arguments.At(0), Message(context))));
        filters.AddFilter("safe_url", (input, _, context) => Text(SafeUrl(input.ToStringValue(context))));
        filters.AddFilter("raw", (input, _, context) => Text(Raw(input.ToStringValue(context), Message(context).Html)));
    }

    private static ValueTask<FluidValue> Text(string text) => new(StringValue.Create(text));

    private static MessageContext Message(TemplateContext context) => (MessageContext)context;

    /// <summary><c>{{ cart.value | money }}</c> → "$24.00"; <c>{{ 5 | money: "EUR" }}</c> for another currency.</summary>
    private static string Money(FluidValue input, FluidValue currency, MessageContext context)
    {
        // Text that is not a number fails the render rather than printing $0.00.
        var amount = input.Type == FluidValues.String
            ? decimal.Parse(input.ToStringValue(context), NumberStyles.Number, CultureInfo.InvariantCulture)
            : input.ToNumberValue(context);
        return FormatMoney(amount, currency.IsNil() ? context.Currency : currency.ToStringValue(context), context.CultureInfo);
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
    private static string LocalDate(FluidValue input, FluidValue format, MessageContext context)
    {
        var instant = input.ToObjectValue(context) switch
        {
            DateTimeOffset d => d,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            var other => throw new FormatException($"local_date needs a date, not '{other}'"),
        };
        var local = TimeZoneInfo.ConvertTime(instant, context.TimeZone);
        return local.ToString(format.IsNil() ? "yyyy-MM-dd" : format.ToStringValue(context), context.CultureInfo);
    }

    /// <summary>
    /// <c>{{ item.url | safe_url }}</c>: the URL when it is an absolute http or https address, else empty. Links from
    /// event data go through it, so a product url of <c>javascript:…</c> or <c>data:…</c> never reaches an href.
    /// </summary>
    private static string SafeUrl(string input) =>
        Uri.TryCreate(input.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : "";

    /// <summary>Prints a value as it is in an HTML part (values there are escaped by default).</summary>
    private static string Raw(string input, bool html) => html ? WebUtility.HtmlDecode(input) : input;

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
