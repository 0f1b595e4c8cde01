namespace Automation.Core;

/// <summary>
/// Date arithmetic on times that come from outside (an event's timestamp, a report's window), which may sit at the
/// edge of the calendar: a result past either end is that end instead of an exception that would fail the request.
/// </summary>
public static class SaturatingCalendar
{
    /// <summary><paramref name="time"/> plus <paramref name="months"/>, or the calendar's first or last moment when that falls outside it.</summary>
    public static DateTimeOffset AddMonths(DateTimeOffset time, int months)
    {
        // AddMonths moves the month and keeps the day; past the calendar by whole months is past it whatever the day.
        var monthIndex = (long)time.UtcDateTime.Year * 12 + time.UtcDateTime.Month - 1 + months;
        if (monthIndex < 12) return DateTimeOffset.MinValue;
        if (monthIndex >= 10_000L * 12) return DateTimeOffset.MaxValue;
        return time.ToUniversalTime().AddMonths(months);
    }

    /// <summary><paramref name="time"/> plus <paramref name="days"/>, or the calendar's first or last moment when that falls outside it.</summary>
    public static DateTimeOffset AddDays(DateTimeOffset time, int days)
    {
        var ticks = (decimal)time.UtcTicks + (decimal)days * TimeSpan.TicksPerDay;
        if (ticks < DateTimeOffset.MinValue.UtcTicks) return DateTimeOffset.MinValue;
        if (ticks > DateTimeOffset.MaxValue.UtcTicks) return DateTimeOffset.MaxValue;
        return time.ToUniversalTime().AddDays(days);
    }
}
