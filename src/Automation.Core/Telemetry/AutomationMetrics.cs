using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Automation.Core.Telemetry;

/// <summary>
/// The server's instruments, named by OpenTelemetry's conventions (docs/operations.md lists them and what to alert on).
/// Tags are low-cardinality only — channel, outcome, journey (one per rule file), error category — never a customer,
/// an address or a free-text reason, so a scrape stays small whatever the traffic.
/// </summary>
public static class AutomationMetrics
{
    /// <summary>The meter (and activity source) name the exporters subscribe to.</summary>
    public const string Name = "Automation";

    private static readonly Meter Meter = new(Name);

    // From a few milliseconds (a small ingest group) to a minute (a scheduler tick over a large audience).
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    /// <summary>Messages the ingest API received, by <c>automation.ingest.outcome</c>: accepted, duplicate or rejected.</summary>
    public static readonly Counter<long> IngestMessages = Meter.CreateCounter<long>("automation.ingest.messages", "{message}",
        "Messages received by the ingest API, by outcome.");

    /// <summary>Ingest groups committed (requests arriving together share one transaction).</summary>
    public static readonly Counter<long> IngestGroups = Meter.CreateCounter<long>("automation.ingest.groups", "{group}",
        "Ingest groups committed, each one transaction.");

    /// <summary>How long a group took from its transaction's start to its commit, derivation included.</summary>
    public static readonly Histogram<double> IngestDerivationDuration = Meter.CreateHistogram<double>("automation.ingest.derivation.duration", "s",
        "Time to store and derive an ingest group, up to its commit.", advice: Seconds);

    /// <summary>Outbox messages handled by the dispatcher, by channel, outcome and, for failures and retries, error category.</summary>
    public static readonly Counter<long> OutboxDeliveries = Meter.CreateCounter<long>("automation.outbox.deliveries", "{message}",
        "Outbox messages handled by the dispatcher, by channel, outcome and error category.");

    /// <summary>Journey instances entered, by journey, counted once their transaction committed.</summary>
    public static readonly Counter<long> JourneyEntries = Meter.CreateCounter<long>("automation.journey.entries", "{instance}",
        "Journey instances entered, by journey.");

    /// <summary>Journey instances that ended, by journey and how (exited, completed, ...).</summary>
    public static readonly Counter<long> JourneyExits = Meter.CreateCounter<long>("automation.journey.exits", "{instance}",
        "Journey instances ended, by journey and end.");

    /// <summary>Journey steps fired, by journey.</summary>
    public static readonly Counter<long> JourneySteps = Meter.CreateCounter<long>("automation.journey.steps", "{step}",
        "Journey steps fired, by journey.");

    /// <summary>How long a scheduled job ran, by job.</summary>
    public static readonly Histogram<double> SchedulerJobDuration = Meter.CreateHistogram<double>("automation.scheduler.job.duration", "s",
        "Run time of a scheduled job, by job.", advice: Seconds);

    /// <summary>How late a scheduled job started: actual minus scheduled fire time, by job.</summary>
    public static readonly Histogram<double> SchedulerJobLag = Meter.CreateHistogram<double>("automation.scheduler.job.lag", "s",
        "Delay between a job's scheduled and actual fire time, by job.", advice: Seconds);

    /// <summary>Rule files a reload rejected (the last good version keeps running), by kind of file.</summary>
    public static readonly Counter<long> RulesReloadFailures = Meter.CreateCounter<long>("automation.rules.reload.failures", "{problem}",
        "Problems found when reloading rule files, by kind of file; the last good version keeps running.");

    /// <summary>The outbox's waiting messages by status and channel, as last counted (see <see cref="OutboxDepthReadings"/>).</summary>
    public static readonly ObservableGauge<long> OutboxDepth = Meter.CreateObservableGauge("automation.outbox.depth", OutboxDepthReadings.Observe, "{message}",
        "Outbox messages not yet final (queued, sending, deferred), by status and channel, as last counted.");

    /// <summary>Tags of one or two pairs, without the allocation of a list per measurement.</summary>
    public static TagList Tags(string key, object? value, string? key2 = null, object? value2 = null)
    {
        var tags = new TagList { { key, value } };
        if (key2 is not null) tags.Add(key2, value2);
        return tags;
    }
}
