using Automation.Core.Products;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>
/// Records the <c>Replenishment Due</c> events of reminders that came due, every tick (Scheduler:TickSeconds); on any
/// node of a cluster, as each reminder is claimed once in the database.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class ReplenishmentJob(ReplenishmentReminders reminders, ILogger<ReplenishmentJob> logger) : IJob
{
    public static readonly JobKey Key = new("replenishment", "automation");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var reminded = await reminders.RemindDueAsync(cancellationToken);
        if (reminded > 0) LogReminded(logger, reminded);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replenishment: {Customers} customer(s) reminded")]
    private static partial void LogReminded(ILogger logger, int customers);
}
