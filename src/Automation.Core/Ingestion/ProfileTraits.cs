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
    /// Checks the well-known traits, normalising them in place (E.164 phone, <c>yyyy-MM-dd</c> birthday).
    /// Context time zone and locale fill in when the traits have none, as Segment clients put them there.
    /// </summary>
    internal static void Validate(JsonObject traits, JsonObject? context, string path, string contextPath, JsonFieldReader r)
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
            if (NormalizePhone(phone) is { } e164) traits["phone"] = e164;
            else r.Add(JsonFieldReader.Join(path, "phone"), $"'{phone}' is not an international number in E.164 form such as +14155550123");
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

    /// <summary>Strips spacing and punctuation; keeps the number only when it is E.164 (+ and 7–15 digits).</summary>
    public static string? NormalizePhone(string raw)
    {
        var digits = new StringBuilder(raw.Length);
        foreach (var c in raw.Trim())
        {
            if (char.IsAsciiDigit(c)) digits.Append(c);
            else if (c is ' ' or '-' or '(' or ')' or '.') continue;
            else if (c == '+' && digits.Length == 0) continue;
            else return null;
        }
        var text = digits.ToString();
        if (!raw.TrimStart().StartsWith('+'))
        {
            // "00" is the international call prefix in most of the world; anything else lacks a country code.
            if (!text.StartsWith("00", StringComparison.Ordinal)) return null;
            text = text[2..];
        }
        return text.Length is >= 7 and <= 15 && text[0] != '0' ? "+" + text : null;
    }

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
