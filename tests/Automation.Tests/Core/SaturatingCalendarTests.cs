using Automation.Core;
using Automation.Core.Points;

namespace Automation.Tests.Core;

/// <summary>Date arithmetic on times at the calendar's ends, and points earned on totals past 32 bits.</summary>
public sealed class SaturatingCalendarTests
{
    private static readonly DateTimeOffset Year9999 = new(9999, 12, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Year1 = new(1, 1, 15, 10, 0, 0, TimeSpan.Zero);

    [Test]
    public void Months_past_the_end_of_the_calendar_are_its_last_moment()
    {
        SaturatingCalendar.AddMonths(Year9999, 12).Should().Be(DateTimeOffset.MaxValue);
        SaturatingCalendar.AddMonths(Year9999, 1).Should().Be(DateTimeOffset.MaxValue);
        SaturatingCalendar.AddMonths(DateTimeOffset.MaxValue, 1).Should().Be(DateTimeOffset.MaxValue);
        SaturatingCalendar.AddMonths(Year9999, 0).Should().Be(Year9999);
        SaturatingCalendar.AddMonths(Year9999, -1).Should().Be(new DateTimeOffset(9999, 11, 15, 10, 0, 0, TimeSpan.Zero));
    }

    [Test]
    public void Months_before_the_start_of_the_calendar_are_its_first_moment()
    {
        SaturatingCalendar.AddMonths(Year1, -1).Should().Be(DateTimeOffset.MinValue);
        SaturatingCalendar.AddMonths(Year1, 1).Should().Be(new DateTimeOffset(1, 2, 15, 10, 0, 0, TimeSpan.Zero));
    }

    [Test]
    public void Days_past_either_end_of_the_calendar_are_that_end()
    {
        SaturatingCalendar.AddDays(Year9999, 3650).Should().Be(DateTimeOffset.MaxValue);
        SaturatingCalendar.AddDays(Year9999, 17).Should().Be(DateTimeOffset.MaxValue);
        SaturatingCalendar.AddDays(Year9999, 16).Should().Be(Year9999.AddDays(16));
        SaturatingCalendar.AddDays(Year1, -15).Should().Be(DateTimeOffset.MinValue);
        SaturatingCalendar.AddDays(Year1, -14).Should().Be(Year1.AddDays(-14));
    }

    [Test]
    public void A_time_with_an_offset_is_moved_in_UTC()
    {
        var lateEvening = new DateTimeOffset(9999, 12, 31, 18, 0, 0, TimeSpan.FromHours(-5));
        SaturatingCalendar.AddDays(lateEvening, 0).Should().Be(lateEvening, "its local time is 5 hours short of the end, its UTC time 1");
        SaturatingCalendar.AddMonths(lateEvening, 1).Should().Be(DateTimeOffset.MaxValue);
    }

    [Test]
    public void Points_earned_saturate_at_what_an_entry_holds_and_never_overflow()
    {
        PointsEarning.Earned(100.9m, 1m).Should().Be(100);
        PointsEarning.Earned(2_147_483_647m, 1m).Should().Be(int.MaxValue);
        PointsEarning.Earned(2_147_483_648m, 1m).Should().Be(int.MaxValue);
        PointsEarning.Earned(1_500_000_000m, 2m).Should().Be(int.MaxValue, "a tier multiplier takes it past the limit");
        PointsEarning.Earned(decimal.MaxValue, 2.5m).Should().Be(int.MaxValue);
        PointsEarning.Earned(decimal.MaxValue, 0.0000001m).Should().Be(int.MaxValue);
        PointsEarning.Earned(0m, 2m).Should().Be(0);
        PointsEarning.Earned(10m, 0m).Should().Be(0);
    }
}
