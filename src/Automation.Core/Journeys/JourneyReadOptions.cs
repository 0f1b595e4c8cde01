namespace Automation.Core.Journeys;

/// <summary>What a journey file is checked against besides its own text.</summary>
/// <param name="Channels">Channel names a <c>Send</c> may use.</param>
/// <param name="TemplateExists">Whether a template exists for (template, channel); null skips the check.</param>
/// <param name="CronProblem">Why a schedule is not a valid cron expression, or null; when not given only its shape is checked.</param>
/// <param name="CouponCampaignExists">Whether rules/coupons has a campaign of this name in force; null skips the check.</param>
/// <param name="SegmentExpression">The expression of the segment of rules/segments of this name in force, or null when there is none.</param>
public sealed record JourneyReadOptions(IReadOnlySet<string> Channels, Func<string, string, bool>? TemplateExists, Func<string, string?>? CronProblem = null,
    RuleLimits? Limits = null, Func<string, bool>? CouponCampaignExists = null,
    Func<string, string?>? SegmentExpression = null)
{
    /// <summary>The budget expressions are validated and run under.</summary>
    public RuleLimits RuleLimits => Limits ?? RuleLimits.Default;

    public static IReadOnlySet<string> DefaultChannels { get; } = new HashSet<string>(["email", "sms", "webhook", "file", "wechat"], StringComparer.Ordinal);
}
