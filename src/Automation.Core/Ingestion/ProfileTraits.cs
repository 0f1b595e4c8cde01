using System.Globalization;
using System.Net.Mail;
using System.Text;
using System.Text.Json.Nodes;

namespace Automation.Core.Ingestion;

/// <summary>
/// The traits Automation understands (Segment's reserved traits plus <c>timezone</c> and <c>locale</c>):
/// validated and normalised on ingest, then read back into the profile's columns.
/// </summary>
public static class ProfileTraits
{
    /// <summary>
    /// Checks the well-known traits, normalising them in place (E.164 phone, national numbers read in the default region, <c>yyyy-MM-dd</c> birthday).
    /// Context time zone and locale fill in when the traits have none, as Segment clients put them there.
    /// </summary>
    internal static void Validate(JsonObject traits, JsonObject? context, string path, string contextPath, JsonFieldReader r, string? defaultRegion = null)
    {
        if (r.String(traits, "email", path, 320) is { } email)
        {
            if (MailAddress.TryCreate(email.Trim(), out var address) && address.Address == email.Trim())
                traits["email"] = email.Trim();
            else
                r.Add(JsonFieldReader.Join(path, "email"), $"'{email}' is not an email address");
        }

        if (r.Id(traits, "phone", path) is { } phone)
        {
            if (NormalizePhone(phone, defaultRegion) is { } e164) traits["phone"] = e164;
            else r.Add(JsonFieldReader.Join(path, "phone"), defaultRegion is null
                ? $"'{phone}' is not a valid international number such as +14155550123 (set Messaging:DefaultRegion to accept national numbers)"
                : $"'{phone}' is not a valid phone number of {defaultRegion} nor an international number such as +14155550123");
        }

        if (r.String(traits, "birthday", path, 100) is { } birthday)
        {
            if (ParseBirthday(birthday) is { } date) traits["birthday"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            else r.Add(JsonFieldReader.Join(path, "birthday"), $"'{birthday}' is not a date such as 1990-04-21");
        }

        foreach (var key in new[] { "name", "firstName", "lastName" })
            r.String(traits, key, path, 500);

        CheckOrInherit(traits, context, "timezone", path, contextPath, r, IsTimeZone, "is not an IANA time zone such as Asia/Shanghai");
        CheckOrInherit(traits, context, "locale", path, contextPath, r, IsLocale, "is not a language tag such as en-US or zh-CN");
    }

    /// <summary>The display name: <c>name</c>, else first and last name joined.</summary>
    public static string? Name(JsonObject traits)
    {
        if (Text(traits, "name") is { } name) return name;
        var joined = $"{Text(traits, "firstName")} {Text(traits, "lastName")}".Trim();
        return joined.Length == 0 ? null : joined;
    }

    public static string? Text(JsonObject traits, string key) =>
        traits[key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    public static DateOnly? Birthday(JsonObject traits) =>
        Text(traits, "birthday") is { } s && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>
    /// The number in E.164 form (<c>+8613800138000</c>), or null when it is not a valid number. Spacing and punctuation
    /// are allowed, letters are not. A number without a country code (<c>13800138000</c>) is read as a number of
    /// <paramref name="defaultRegion"/> (<c>Messaging:DefaultRegion</c>, an ISO 3166 code such as CN); without one,
    /// only a number starting with <c>+</c> or <c>00</c> names its country.
    /// </summary>
    public static string? NormalizePhone(string raw, string? defaultRegion = null)
    {
        var text = raw.Trim();
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (' ' or '-' or '(' or ')' or '.' or '+')) return null;
        }
        // "00" is the international call prefix in most of the world, and no national number starts with it.
        if (text.StartsWith("00", StringComparison.Ordinal)) text = "+" + text[2..];
        try
        {
            var number = Phones.Parse(text, defaultRegion ?? UnknownRegion);
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumbers.PhoneNumberFormat.E164) : null;
        }
        catch (PhoneNumbers.NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Whether libphonenumber knows <paramref name="region"/> (CN, US, GB…): a valid <c>Messaging:DefaultRegion</c>.</summary>
    public static bool IsPhoneRegion(string region) => Phones.GetSupportedRegions().Contains(region);

    private const string UnknownRegion = "ZZ";
    private static readonly PhoneNumbers.PhoneNumberUtil Phones = PhoneNumbers.PhoneNumberUtil.GetInstance();

    private static DateOnly? ParseBirthday(string s)
    {
        if (DateOnly.TryParseExact(s.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        // Segment's spec sends birthdays as ISO date-times; the calendar date is what matters.
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dt)
            ? DateOnly.FromDateTime(dt.UtcDateTime)
            : null;
    }

    private static void CheckOrInherit(JsonObject traits, JsonObject? context, string key, string path, string contextPath,
        JsonFieldReader r, Func<string, bool> isValid, string invalid)
    {
        if (r.String(traits, key, path, 100) is { } own)
        {
            if (!isValid(own)) r.Add(JsonFieldReader.Join(path, key), $"'{own}' {invalid}");
            return;
        }
        if (context is null || r.String(context, key, contextPath, 100) is not { } inherited) return;
        if (isValid(inherited)) traits[key] = inherited;
        else r.Add(JsonFieldReader.Join(contextPath, key), $"'{inherited}' {invalid}");
    }

    private static bool IsTimeZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    private static bool IsLocale(string tag)
    {
        try
        {
            return CultureInfo.GetCultureInfo(tag, predefinedOnly: true).Name.Length > 0;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }
}
