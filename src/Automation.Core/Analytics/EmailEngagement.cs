namespace Automation.Core.Analytics;

/// <summary>The database's sums for the emails of one journey step and variant sent in a window.</summary>
/// <param name="Sent">Emails the provider accepted (sent or delivered).</param>
/// <param name="WithPixel">Of those, the emails that carried the open pixel.</param>
/// <param name="Opened">Of the emails with a pixel, those a reader opened at least once (machine opens left out).</param>
/// <param name="WithLinks">Of those sent, the emails whose links were tracked redirects.</param>
/// <param name="Clicked">Of the emails with tracked links, those with a link a reader followed.</param>
public sealed record EmailEngagementFigures(string Journey, string Step, string? Variant, long Sent, long WithPixel, long Opened, long WithLinks, long Clicked);

/// <summary>
/// How an arm's emails were read: opens over the emails that carried a pixel, clicks over those with tracked links,
/// counting readers only (machine opens and clicks left out) and each email once however often it was opened.
/// Tracking is <c>on</c> when every email carried it, <c>partial</c> when some did (it was turned on or off within the
/// window: rates are over those that did), and <c>off</c> when none did: then the rate is null, not 0.
/// </summary>
/// <param name="Sent">Emails the provider accepted.</param>
/// <param name="UniqueOpens">Emails opened by a reader at least once.</param>
/// <param name="UniqueClicks">Emails with a link followed by a reader.</param>
/// <param name="ClickToOpenRate">Unique clicks over unique opens, when both were tracked and someone opened.</param>
public sealed record EmailEngagement(
    long Sent,
    string OpenTracking, long TrackedForOpens, long UniqueOpens, double? OpenRate,
    string ClickTracking, long TrackedForClicks, long UniqueClicks, double? ClickRate,
    double? ClickToOpenRate)
{
    public const string On = "on";
    public const string Partial = "partial";
    public const string Off = "off";

    /// <summary>The rates of one arm's sums.</summary>
    public static EmailEngagement From(long sent, long withPixel, long opened, long withLinks, long clicked)
    {
        double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
        var openTracking = Tracking(sent, withPixel);
        var clickTracking = Tracking(sent, withLinks);
        return new EmailEngagement(sent, openTracking, withPixel, opened, Rate(opened, withPixel), clickTracking, withLinks, clicked, Rate(clicked, withLinks),
            openTracking == Off || clickTracking == Off ? null : Rate(clicked, opened));
    }

    public static EmailEngagement From(EmailEngagementFigures f) => From(f.Sent, f.WithPixel, f.Opened, f.WithLinks, f.Clicked);

    private static string Tracking(long sent, long tracked) => tracked == 0 ? Off : tracked == sent ? On : Partial;
}
