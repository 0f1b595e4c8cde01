using Automation.Core.Teams;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Settles teams that expired unfilled, every Scheduler:TickSeconds, on one node of a cluster; the settling claims each team once anyway.</summary>
[DisallowConcurrentExecution]
internal sealed partial class TeamExpiryJob(TeamExpirer expirer, ILogger<TeamExpiryJob> logger) : IJob
{
    public static readonly JobKey Key = new("team-expiry", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var settled = await expirer.SettleExpiredAsync(cancellationToken);
        if (settled > 0) LogSettled(logger, settled);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Team expiry: {Teams} team(s) expired unfilled and were settled")]
    private static partial void LogSettled(ILogger logger, int teams);
}
