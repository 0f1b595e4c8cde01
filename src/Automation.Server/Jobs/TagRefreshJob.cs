using Automation.Core.Tags;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>Recomputes everyone's rule tags once a day (Scheduler:TagRefreshCron), on one node of a cluster.</summary>
[DisallowConcurrentExecution]
internal sealed partial class TagRefreshJob(TagRefresher refresher, ILogger<TagRefreshJob> logger) : IJob
{
    public static readonly JobKey Key = new("tag-refresh", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var changes = await refresher.RefreshAllAsync(cancellationToken);
        LogRefreshed(logger, changes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tag refresh: {Changes} tag(s) added or removed")]
    private static partial void LogRefreshed(ILogger logger, int changes);
}
