using Automation.Core.Presales;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>
/// Announces pre-sale windows as they open, every Scheduler:TickSeconds, on one node of a cluster; each customer is
/// claimed once per sale in the database anyway, so a second node or a retried run tells nobody twice.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class PresaleAnnounceJob(PresaleAnnouncer announcer, ILogger<PresaleAnnounceJob> logger) : IJob
{
    public static readonly JobKey Key = new("presale-announce", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var told = await announcer.AnnounceDueAsync(cancellationToken);
        if (told > 0) LogAnnounced(logger, told);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pre-sales: {Customers} customer(s) told of a sale that opened to them")]
    private static partial void LogAnnounced(ILogger logger, int customers);
}
