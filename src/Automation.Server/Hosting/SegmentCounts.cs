using System.Collections.Concurrent;
using Automation.Core.Segments;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>A segment's count and when it was taken.</summary>
public sealed record SegmentCount(long Count, DateTimeOffset CountedAt);

/// <summary>
/// Segment counts, each reused for <see cref="SegmentOptions.CountCacheSeconds"/>: counting reads every customer, so the
/// list page would otherwise do that once per segment per view. A segment whose file changed is counted afresh. One
/// count runs at a time per segment: the requests that arrive while it runs (a busy list page just after the count
/// expired) wait for it rather than each reading every customer again.
/// </summary>
public sealed class SegmentCounts(SegmentMembers members, TimeProvider clock, IOptions<SegmentOptions> options)
{
    private sealed record Counting(Segment Segment, DateTimeOffset StartedAt, Task<SegmentCount> Count);

    private readonly ConcurrentDictionary<string, Counting> _counts = new(StringComparer.Ordinal);
    private readonly Lock _starting = new();

    /// <summary>The segment's count; <paramref name="ct"/> stops this caller's wait, not a count others wait for too.</summary>
    public Task<SegmentCount> CountAsync(Segment segment, CancellationToken ct)
    {
        Counting counting;
        lock (_starting)
        {
            var now = clock.GetUtcNow();
            if (!_counts.TryGetValue(segment.Name, out counting!) || !Reusable(counting, segment, now))
                _counts[segment.Name] = counting = new Counting(segment, now, Task.Run(() => CountFromAsync(segment, now)));
        }
        return counting.Count.WaitAsync(ct);
    }

    private bool Reusable(Counting counting, Segment segment, DateTimeOffset now) =>
        ReferenceEquals(counting.Segment, segment) && !counting.Count.IsFaulted && !counting.Count.IsCanceled
        && now - counting.StartedAt < TimeSpan.FromSeconds(options.Value.CountCacheSeconds);

    private async Task<SegmentCount> CountFromAsync(Segment segment, DateTimeOffset now) =>
        new(await members.CountAsync(segment, CancellationToken.None), now);
}
