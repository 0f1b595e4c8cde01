using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>A report as computed at <paramref name="AsOf"/>, which took <paramref name="Took"/>.</summary>
public sealed record CachedReport<T>(T Report, DateTimeOffset AsOf, TimeSpan Took);

/// <summary>
/// Keeps the console's analytics reports: they scan every order, which takes seconds on a large shop. Only the first
/// request for a report waits for it; once it is older than <see cref="ConsoleOptions.ReportCacheMinutes"/>, the next
/// request still gets it at once and starts computing a fresh one in the background. Pages say when a report was
/// computed and how long that took, so the cost is shown, not hidden. Concurrent requests share one computation.
/// </summary>
internal sealed partial class ReportCache(TimeProvider clock, IOptions<ConsoleOptions> options, ILogger<ReportCache> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _reports = new(StringComparer.Ordinal);

    public async Task<CachedReport<T>> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute) where T : notnull
    {
        var maxAge = TimeSpan.FromMinutes(options.Value.ReportCacheMinutes);
        if (maxAge == TimeSpan.Zero) return (CachedReport<T>)await Compute(compute).Value;

        var entry = _reports.GetOrAdd(key, _ => Compute(compute));
        CachedReport<T> cached;
        try
        {
            cached = (CachedReport<T>)await entry.Value;
        }
        catch (Exception)
        {
            // A failed computation is not kept: the next request tries again.
            _reports.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, entry));
            throw;
        }
        if (clock.GetUtcNow() - cached.AsOf > maxAge)
        {
            var fresh = Compute(compute);
            if (_reports.TryUpdate(key, fresh, entry)) _ = RefreshAsync(key, fresh, entry);
        }
        return cached;
    }

    private Lazy<Task<object>> Compute<T>(Func<CancellationToken, Task<T>> compute) where T : notnull => new(async () =>
    {
        var started = clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        // Not a request's token: the computation is shared with other requests and kept.
        var report = await compute(CancellationToken.None);
        return new CachedReport<T>(report, started, watch.Elapsed);
    });

    /// <summary>Computes a replacement; if it fails, the previous report stays until the next attempt.</summary>
    private async Task RefreshAsync(string key, Lazy<Task<object>> fresh, Lazy<Task<object>> previous)
    {
        try
        {
            await fresh.Value;
        }
        catch (Exception e)
        {
            LogRefreshFailed(logger, e, key);
            _reports.TryUpdate(key, previous, fresh);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the console report {Key} failed; the previous one stays")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string key);
}
