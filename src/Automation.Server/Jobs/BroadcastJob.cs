using Automation.Core.Broadcasts;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>
/// Starts due broadcasts and walks those being sent, every Scheduler:TickSeconds. The start is claimed in the database
/// and each member's message by its unique key, so another node running this at the same time sends nothing twice.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class BroadcastJob(BroadcastSender sender, ILogger<BroadcastJob> logger) : IJob
{
    public static readonly JobKey Key = new("broadcasts", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var enqueued = await sender.SendDueAsync(cancellationToken);
        if (enqueued > 0) LogEnqueued(logger, enqueued);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broadcasts: {Messages} message(s) enqueued")]
    private static partial void LogEnqueued(ILogger logger, int messages);
}
