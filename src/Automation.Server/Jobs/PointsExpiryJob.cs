using Automation.Core.Points;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Lets lapsed points go once a day (Scheduler:TagRefreshCron), on one node of a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed class PointsExpiryJob(PointsExpirer expirer, ILogger<PointsExpiryJob> logger) : IJob
{
    public static readonly JobKey Key = new("points-expiry", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var lapsed = await expirer.ExpireAsync(cancellationToken);
        logger.LogInformation("Points expiry: {Points} point(s) lapsed", lapsed);
    }
}
