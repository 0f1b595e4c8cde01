using System.Collections.Concurrent;
using Automation.Core.Segments;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>A segment's count and when it was taken.</summary>
public sealed record SegmentCount(long Count, DateTimeOffset CountedAt);

/// <summary>
/// Segment counts, each reused for <see cref="SegmentOptions.CountCacheSeconds"/>: counting reads every customer, so the
/// list page would otherwise do that once per segment per view. A segment whose file changed is counted afresh.
/// </summary>
public sealed class SegmentCounts(SegmentMembers members, TimeProvider clock, IOptions<SegmentOptions> options)
{
    private readonly ConcurrentDictionary<string, (Segment Segment, SegmentCount Count)> _counts = new(StringComparer.Ordinal);

    public async Task<SegmentCount> CountAsync(Segment segment, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_counts.TryGetValue(segment.Name, out var cached) && ReferenceEquals(cached.Segment, segment)
            && now - cached.Count.CountedAt < TimeSpan.FromSeconds(options.Value.CountCacheSeconds))
            return cached.Count;
        var count = new SegmentCount(await members.CountAsync(segment, ct), now);
        _counts[segment.Name] = (segment, count);
        return count;
    }
}
