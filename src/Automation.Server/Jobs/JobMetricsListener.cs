using Automation.Core.Telemetry;
using Quartz;

namespace Automation.Server.Jobs;

/// <summary>
/// Records each scheduled job's run time and lag (Quartz's actual minus scheduled fire time: a busy or stopped
/// scheduler shows here before its work is missed), tagged with the job's fixed name.
/// </summary>
internal sealed class JobMetricsListener : IJobListener
{
    public string Name => "automation-metrics";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var job = AutomationMetrics.Tags("automation.job", context.JobDetail.Key.Name);
        AutomationMetrics.SchedulerJobDuration.Record(context.JobRunTime.TotalSeconds, job);
        if (context.ScheduledFireTimeUtc is { } scheduled)
            AutomationMetrics.SchedulerJobLag.Record(Math.Max(0, (context.FireTimeUtc - scheduled).TotalSeconds), job);
        return ValueTask.CompletedTask;
    }
}
