using Automation.Core.Journeys;
using Microsoft.Extensions.Options;

namespace Automation.Server.Configuration;

/// <summary>The <c>Rules</c> section: where journey files live, how they are reloaded, and the budget of one evaluation.</summary>
public sealed class RulesOptions
{
    public const string Section = "Rules";

    /// <summary>The rules folder, relative to the content root.</summary>
    public string Path { get; set; } = "rules";

    /// <summary>How long a reload waits after a file of the rules or templates folder changes, so the writes of one save are read together.</summary>
    public int ReloadSeconds { get; set; } = 2;

    /// <summary>
    /// Look for changes to the rules and templates folders every four seconds instead of waiting for file-system
    /// events: for network shares and Kubernetes ConfigMap volumes, which raise none.
    /// </summary>
    public bool PollForChanges { get; set; }

    /// <summary>Steps one evaluation of one rule may take (one per rule, one per item a LINQ method visits); past it the rule is quarantined.</summary>
    public long MaxSteps { get; set; } = RuleLimits.Default.MaxSteps;

    /// <summary>Milliseconds one evaluation of one rule may run; past it the rule is quarantined.</summary>
    public int MaxMilliseconds { get; set; } = (int)RuleLimits.Default.MaxTime.TotalMilliseconds;

    public RuleLimits Limits => new(MaxSteps, TimeSpan.FromMilliseconds(MaxMilliseconds));
}

/// <summary>The <c>Templates</c> section.</summary>
public sealed class TemplatesOptions
{
    public const string Section = "Templates";

    /// <summary>The templates folder, relative to the content root.</summary>
    public string Path { get; set; } = "templates";

    /// <summary>The locale used when a template has no variant in the customer's own.</summary>
    public string DefaultLocale { get; set; } = "en";

    /// <summary>The currency of the <c>money</c> filter when neither cart nor order names one.</summary>
    public string DefaultCurrency { get; set; } = "USD";

    /// <summary>
    /// The shop's SMS signature, <c>shop.sign_name</c> in templates (the zh-CN SMS templates start with 【{{ shop.sign_name }}】);
    /// also the sign name Aliyun and Tencent Cloud send with, unless their sections name another.
    /// </summary>
    public string? SignName { get; set; }
}

/// <summary>The <c>Scheduler</c> section: the Quartz job that runs time-based journey work.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    /// <summary>False stops time-based journey work on this node (event-triggered entries still happen on ingest).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Seconds between ticks: active instances evaluated, schedules and scans checked.</summary>
    public int TickSeconds { get; set; } = 60;

    /// <summary>When everyone's rule tags are recomputed (Quartz cron, server time zone).</summary>
    public string TagRefreshCron { get; set; } = "0 0 3 * * ?";

    /// <summary>When tiers are reviewed, the only time they go down (Quartz cron, UTC): by default the 1st of each month.</summary>
    public string TierReviewCron { get; set; } = "0 30 3 1 * ?";
}

internal sealed class JourneySettingsValidator : IValidateOptions<RulesOptions>, IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, RulesOptions options)
    {
        if (options.ReloadSeconds is < 1 or > 3600)
            return ValidateOptionsResult.Fail($"Rules:ReloadSeconds must be from 1 to 3600, not {options.ReloadSeconds}.");
        if (options.MaxSteps is < 1_000 or > 1_000_000_000)
            return ValidateOptionsResult.Fail($"Rules:MaxSteps must be from 1000 to 1000000000, not {options.MaxSteps}.");
        if (options.MaxMilliseconds is < 10 or > 60_000)
            return ValidateOptionsResult.Fail($"Rules:MaxMilliseconds must be from 10 to 60000, not {options.MaxMilliseconds}.");
        return ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        if (options.TickSeconds is < 1 or > 3600)
            return ValidateOptionsResult.Fail($"Scheduler:TickSeconds must be from 1 to 3600, not {options.TickSeconds}.");
        foreach (var (setting, cron) in new[] { ("TagRefreshCron", options.TagRefreshCron), ("TierReviewCron", options.TierReviewCron) })
        {
            if (!Quartz.CronExpression.TryParse(cron, out _))
                return ValidateOptionsResult.Fail($"Scheduler:{setting} must be a Quartz cron expression such as '0 0 3 * * ?', not '{cron}'.");
        }
        return ValidateOptionsResult.Success;
    }
}
