using Automation.Storage;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// Computes the analytics page's default reports when the server starts and again whenever they age, so a marketer
/// opening the page never waits the seconds a large shop's reports take. Runs only when console users are configured.
/// </summary>
internal sealed partial class AnalyticsWarmer(AnalyticsReportSet reports, IOptions<ConsoleOptions> options, TimeProvider clock, ILogger<AnalyticsWarmer> logger)
    : BackgroundService
{
    private int _passes;

    /// <summary>How many times it has brought the reports up to date.</summary>
    public int Passes => Volatile.Read(ref _passes);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Users.Count == 0 || options.Value.ReportCacheMinutes == 0) return;
        // Half the keeping time: a report is refreshed before a visitor can find it old.
        var every = TimeSpan.FromMinutes(options.Value.ReportCacheMinutes) / 2;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reports.GetDefaultAsync();
                Interlocked.Increment(ref _passes);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (TransientFailures.IsTransient(e)) LogUnavailable(logger, e.Message);
                else LogFailed(logger, e);
            }
            try
            {
                await Task.Delay(every, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics reports not computed, the database is unavailable: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Analytics reports could not be computed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
