using System.Globalization;
using Automation.Core.Analytics;

namespace Automation.Server.Analytics;

/// <summary>
/// Open, click and click-to-open rates as the console and <c>automation report</c> print them: "tracking off" where no
/// email of the arm carried the pixel (or tracked links), never 0 %, and "of N tracked" where only some did.
/// </summary>
internal static class EngagementText
{
    public const string TrackingOff = "tracking off";

    public static string OpenRate(EmailEngagement email, Func<double?, string> percent) =>
        Rate(email.OpenTracking, email.OpenRate, email.TrackedForOpens, percent);

    public static string ClickRate(EmailEngagement email, Func<double?, string> percent) =>
        Rate(email.ClickTracking, email.ClickRate, email.TrackedForClicks, percent);

    public static string ClickToOpenRate(EmailEngagement email, Func<double?, string> percent) =>
        email.OpenTracking == EmailEngagement.Off || email.ClickTracking == EmailEngagement.Off ? TrackingOff : percent(email.ClickToOpenRate);

    private static string Rate(string tracking, double? rate, long tracked, Func<double?, string> percent) => tracking switch
    {
        EmailEngagement.Off => TrackingOff,
        EmailEngagement.Partial => string.Create(CultureInfo.InvariantCulture, $"{percent(rate)} of {tracked:N0} tracked"),
        _ => percent(rate),
    };
}
