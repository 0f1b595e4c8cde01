using Automation.Core.Journeys;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Quartz's cron expressions for journey schedules.</summary>
internal sealed class QuartzCronSchedule : ICronSchedule
{
    // Bounds the walk over occurrences after a long downtime; only the latest one runs anyway.
    private static readonly TimeSpan LongestLookBack = TimeSpan.FromDays(40);

    public string? Problem(string cron)
    {
        try
        {
            CronExpression.Parse(cron);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    public DateTimeOffset? LatestOccurrence(string cron, TimeZoneInfo zone, DateTimeOffset after, DateTimeOffset until)
    {
        var expression = CronExpression.Parse(cron).WithTimeZone(zone);
        if (until - after > LongestLookBack) after = until - LongestLookBack;
        DateTimeOffset? latest = null;
        for (var next = expression.GetNextValidTimeAfter(after); next is { } t && t <= until; next = expression.GetNextValidTimeAfter(t))
            latest = t;
        return latest;
    }

    public DateTimeOffset? NextOccurrence(string cron, TimeZoneInfo zone, DateTimeOffset after) =>
        CronExpression.Parse(cron).WithTimeZone(zone).GetNextValidTimeAfter(after);
}
