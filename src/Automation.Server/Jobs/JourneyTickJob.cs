using Automation.Core.Journeys;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Runs the journey scheduler's tick. One at a time, and on one node of a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed partial class JourneyTickJob(JourneyScheduler scheduler, ILogger<JourneyTickJob> logger) : IJob
{
    public static readonly JobKey Key = new("journey-tick", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var report = await scheduler.TickAsync(cancellationToken);
        LogTicked(logger, report);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Journey tick: {Report}")]
    private static partial void LogTicked(ILogger logger, TickReport report);
}
