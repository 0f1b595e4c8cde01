using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Automation.Core.Messaging;
using Automation.Core.Storage;

namespace Automation.Core.Telemetry;

/// <summary>
/// The last outbox counts a server took, which the <c>automation.outbox.depth</c> gauge reports: a scrape reads these,
/// never the database, so any number of scrapes costs one periodic count. A status and channel once seen keep being
/// reported, as 0 once drained, so an alert on the series sees it empty rather than gone.
/// </summary>
public sealed class OutboxDepthReadings : IDisposable
{
    // Every server of the process (one, outside tests); the gauge is the meter's, shared by all.
    private static readonly ConcurrentDictionary<OutboxDepthReadings, byte> Live = new();

    private IReadOnlyDictionary<(MessageStatus Status, string Channel), long> _counts = new Dictionary<(MessageStatus, string), long>();

    /// <summary>Starts reporting (nothing until the first <see cref="Update"/>).</summary>
    public OutboxDepthReadings()
    {
        _ = AutomationMetrics.OutboxDepth;
        Live.TryAdd(this, 0);
    }

    /// <summary>Replaces the counts with a new set.</summary>
    public void Update(IReadOnlyList<OutboxDepth> counts)
    {
        var next = Volatile.Read(ref _counts).Keys.ToDictionary(k => k, _ => 0L);
        foreach (var depth in counts) next[(depth.Status, depth.Channel)] = depth.Count;
        Volatile.Write(ref _counts, next);
    }

    /// <summary>Stops reporting.</summary>
    public void Dispose() => Live.TryRemove(this, out _);

    internal static IEnumerable<Measurement<long>> Observe() =>
        Live.Keys.SelectMany(readings => Volatile.Read(ref readings._counts)).Select(c => new Measurement<long>(c.Value,
            AutomationMetrics.Tags("automation.outbox.status", c.Key.Status.Text(), "automation.channel", c.Key.Channel)));
}
