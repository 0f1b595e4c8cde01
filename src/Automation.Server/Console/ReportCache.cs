using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Automation.Server.Console;

/// <summary>A report as computed at <paramref name="AsOf"/>, which took <paramref name="Took"/>.</summary>
public sealed record CachedReport<T>(T Report, DateTimeOffset AsOf, TimeSpan Took);

/// <summary>
/// Keeps the console's analytics reports for <see cref="ConsoleOptions.ReportCacheMinutes"/>: they scan every order,
/// which takes seconds on a large shop, and a page that shows them says when they were computed and how long that took.
/// Concurrent requests for the same report share one computation.
/// </summary>
internal sealed class ReportCache(TimeProvider clock, IOptions<ConsoleOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _reports = new(StringComparer.Ordinal);

    public async Task<CachedReport<T>> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute) where T : notnull
    {
        var maxAge = TimeSpan.FromMinutes(options.Value.ReportCacheMinutes);
        while (true)
        {
            var computedHere = false;
            var entry = _reports.GetOrAdd(key, _ => new Lazy<Task<object>>(async () =>
            {
                computedHere = true;
                var started = clock.GetUtcNow();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                // Not the request's token: the computation is shared with other requests and kept.
                var report = await compute(CancellationToken.None);
                return new CachedReport<T>(report, started, watch.Elapsed);
            }));
            try
            {
                var cached = (CachedReport<T>)await entry.Value;
                if (computedHere || clock.GetUtcNow() - cached.AsOf <= maxAge) return cached;
            }
            catch (Exception)
            {
                _reports.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, entry));
                throw;
            }
            _reports.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, entry));
        }
    }
}
