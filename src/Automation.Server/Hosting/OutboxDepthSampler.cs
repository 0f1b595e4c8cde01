using Automation.Core.Storage;
using Automation.Core.Telemetry;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>
/// Counts the outbox's waiting messages every <c>Telemetry:OutboxDepthSeconds</c> for the depth gauge: one grouped
/// COUNT over the (status, due_at) index, however often Prometheus scrapes. Every node counts the same shared outbox,
/// so a query over several nodes takes the max, not the sum (docs/operations.md).
/// </summary>
internal sealed partial class OutboxDepthSampler(IOutboxStore store, IOptions<TelemetryOptions> options, ILogger<OutboxDepthSampler> logger) : BackgroundService
{
    private readonly OutboxDepthReadings _readings = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.OutboxDepthSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _readings.Update(await store.CountWaitingAsync(stoppingToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The last counts stay reported; the next round tries again.
                LogFailed(logger, e.Message);
            }
            try
            {
                // A sampling interval on the wall clock, not TimeProvider: a server on a test's fake clock must still count.
                await Task.Delay(every, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _readings.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the outbox for its depth metric failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
