using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Reviews everyone's tier (Scheduler:TierReviewCron, monthly by default), on one node of a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed partial class TierReviewJob(TierReviewer reviewer, IOptions<SchedulerOptions> options, ILogger<TierReviewJob> logger) : IJob
{
    public static readonly JobKey Key = new("tier-review", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var changes = await reviewer.ReviewAllAsync(options.Value.TierReviewCron, cancellationToken);
        LogReviewed(logger, changes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tier review: {Changes} tier(s) changed")]
    private static partial void LogReviewed(ILogger logger, int changes);
}
