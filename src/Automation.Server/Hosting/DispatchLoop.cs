using Automation.Core.Messaging;
using Automation.Server.Configuration;
using Automation.Storage;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>
/// Runs the dispatcher on every node where <c>Messaging:Dispatch</c> is on: batch after batch while messages are due,
/// then a short sleep. Nodes share the work through the claims in the outbox. A database outage pauses it; nothing is
/// lost, the messages wait.
/// </summary>
internal sealed partial class DispatchLoop(OutboxDispatcher dispatcher, IOptions<MessagingOptions> options, ILogger<DispatchLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Dispatch) return;
        var idle = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.DispatchDueAsync(stoppingToken) > 0) continue;
            }
            catch (Exception e) when (TransientFailures.IsTransient(e))
            {
                LogPaused(logger, e.Message);
                idle = TimeSpan.FromSeconds(5);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
            try
            {
                // A poll interval on the wall clock, not TimeProvider: a server on a test's fake clock must still poll.
                await Task.Delay(idle, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            idle = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch paused, the database is unavailable: {Error}")]
    private static partial void LogPaused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch failed; retrying shortly")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
