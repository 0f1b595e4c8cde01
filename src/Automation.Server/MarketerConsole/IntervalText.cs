using System.Globalization;

namespace Automation.Server.MarketerConsole;

/// <summary>An interval as a marketer says it: <c>daily</c>, <c>every 6 hours</c>, <c>weekly</c>, <c>every 2 days</c>.</summary>
internal static class IntervalText
{
    public static string Of(TimeSpan interval)
    {
        if (interval == TimeSpan.FromDays(7)) return "weekly";
        if (interval == TimeSpan.FromDays(1)) return "daily";
        if (interval == TimeSpan.FromHours(1)) return "hourly";
        if (interval.Ticks % TimeSpan.TicksPerDay == 0 && interval.Days % 7 == 0) return Every(interval.Days / 7, "week");
        if (interval.Ticks % TimeSpan.TicksPerDay == 0) return Every(interval.Days, "day");
        if (interval.Ticks % TimeSpan.TicksPerHour == 0) return Every((long)interval.TotalHours, "hour");
        if (interval.Ticks % TimeSpan.TicksPerMinute == 0) return Every((long)interval.TotalMinutes, "minute");
        return Every((long)Math.Ceiling(interval.TotalSeconds), "second");
    }

    private static string Every(long count, string unit) =>
        count == 1 ? $"every {unit}" : string.Create(CultureInfo.InvariantCulture, $"every {count:N0} {unit}s");
}
