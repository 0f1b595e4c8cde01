using System.Globalization;
using Automation.Core.Analytics;
using Automation.Core.Ingestion;
using Automation.Core.Tiers;

namespace Automation.Server.Analytics;

/// <summary>
/// Reads the parameters of the metrics API and <c>automation report</c> alike, so both accept and refuse the same
/// input. Names in errors carry the caller's <c>prefix</c> (<c>--</c> on the command line).
/// </summary>
internal static class ReportParameters
{
    public const int DefaultRepurchaseDays = 90;
    public const int DefaultAttributionDays = 7;
    public const int MaxDays = 3650;

    /// <summary>
    /// Reports cover 1970-01-01 to 3000-01-01: no shop's orders predate the first, and the second leaves room to add
    /// <see cref="MaxDays"/> to a window's end without leaving the calendar .NET and both databases can represent.
    /// </summary>
    public static readonly DateTimeOffset EarliestTime = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc cref="EarliestTime"/>
    public static readonly DateTimeOffset LatestTime = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The base tier's name when there are no tiers at all.</summary>
    public const string NoTierGroup = "none";

    private static readonly Dictionary<string, RepurchaseSegment> Segments = new(StringComparer.OrdinalIgnoreCase)
    {
        ["new"] = RepurchaseSegment.New,
        ["returning"] = RepurchaseSegment.Returning,
        ["tier"] = RepurchaseSegment.Tier,
        ["tag"] = RepurchaseSegment.Tag,
        ["member"] = RepurchaseSegment.Member,
    };

    /// <summary>The tier customers hold before any recorded change: the lowest of rules/tiers.json, <see cref="NoTierGroup"/> without tiers.</summary>
    public static string BaseTier(TierCatalog tiers) => tiers.Program is { Tiers.Count: > 0 } program ? program.Tiers[0].Name : NoTierGroup;

    /// <summary>
    /// The window [from, to). Both are required unless <paramref name="defaultTo"/> is given; then a missing to is
    /// that time and a missing from is a year before to.
    /// </summary>
    public static FieldError? Window(string? from, string? to, DateTimeOffset? defaultTo, string prefix, out DateTimeOffset start, out DateTimeOffset end)
    {
        start = end = default;
        if (Time(to, defaultTo, prefix + "to", out end) is { } toError) return toError;
        if (Time(from, defaultTo is null ? null : end.AddYears(-1), prefix + "from", out start) is { } fromError) return fromError;
        return start < end ? null : new FieldError(prefix + "from", $"must be before {prefix}to");
    }

    /// <summary>The window [from, to) where both are optional: a missing from is <see cref="EarliestTime"/>, a missing to <see cref="LatestTime"/>.</summary>
    public static FieldError? OpenWindow(string? from, string? to, string prefix, out DateTimeOffset start, out DateTimeOffset end)
    {
        start = end = default;
        if (Time(to, LatestTime, prefix + "to", out end) is { } toError) return toError;
        if (Time(from, EarliestTime, prefix + "from", out start) is { } fromError) return fromError;
        return start < end ? null : new FieldError(prefix + "from", $"must be before {prefix}to");
    }

    /// <summary>Days from 1 to <see cref="MaxDays"/>.</summary>
    public static FieldError? Days(string? text, int fallback, string field, out int days)
    {
        days = fallback;
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= MaxDays
            ? null
            : new FieldError(field, $"must be a whole number of days from 1 to {MaxDays}");
    }

    /// <summary><c>new</c>, <c>returning</c>, <c>tier</c>, <c>tag</c> or <c>member</c>; null when absent.</summary>
    public static FieldError? Segment(string? text, string field, out RepurchaseSegment? segment)
    {
        segment = null;
        if (text is null) return null;
        if (Segments.TryGetValue(text, out var known))
        {
            segment = known;
            return null;
        }
        return new FieldError(field, $"must be one of {string.Join(", ", Segments.Keys)}");
    }

    // A date is midnight UTC; a timestamp without an offset is UTC.
    private static FieldError? Time(string? text, DateTimeOffset? fallback, string field, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            if (fallback is { } f) value = f;
            return fallback is null ? new FieldError(field, "is required: a date such as 2026-01-01 or an ISO 8601 time") : null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            value = new DateTimeOffset(date, TimeOnly.MinValue, TimeSpan.Zero);
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && text.Contains('T', StringComparison.Ordinal))
            value = time.ToUniversalTime();
        else
            return new FieldError(field, $"'{text}' is not a date such as 2026-01-01 or an ISO 8601 time");
        return value >= EarliestTime && value <= LatestTime
            ? null
            : new FieldError(field, string.Create(CultureInfo.InvariantCulture, $"must be from {EarliestTime:yyyy-MM-dd} to {LatestTime:yyyy-MM-dd}"));
    }
}
