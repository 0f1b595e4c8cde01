using Automation.Core.Points;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Lets lapsed points go once a day (Scheduler:TagRefreshCron), on one node of a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed partial class PointsExpiryJob(PointsExpirer expirer, ILogger<PointsExpiryJob> logger) : IJob
{
    public static readonly JobKey Key = new("points-expiry", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var lapsed = await expirer.ExpireAsync(cancellationToken);
        LogExpired(logger, lapsed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Points expiry: {Points} point(s) lapsed")]
    private static partial void LogExpired(ILogger logger, long points);
}
