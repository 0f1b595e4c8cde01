using Automation.Core.Referrals;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Pays referral rewards that came due, daily (Scheduler:TagRefreshCron), on one node of a cluster; each reward is claimed once anyway.</summary>
[DisallowConcurrentExecution]
internal sealed partial class ReferralRewardJob(ReferralRewarder rewarder, ILogger<ReferralRewardJob> logger) : IJob
{
    public static readonly JobKey Key = new("referral-rewards", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settled = await rewarder.PayDueAsync(cancellationToken);
        LogSettled(logger, settled);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Referral rewards: {Referrals} referral(s) settled")]
    private static partial void LogSettled(ILogger logger, int referrals);
}
