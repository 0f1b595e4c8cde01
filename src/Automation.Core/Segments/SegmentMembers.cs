using System.Runtime.CompilerServices;
using Automation.Core.Customers;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Tiers;

namespace Automation.Core.Segments;

/// <summary>
/// Finds a segment's customers by paging through every customer in id order, as the journey scheduler's scans do
/// (<see cref="JourneyScheduler.PagesAsync"/> over <see cref="IJourneyStore.CustomersInTimezoneAsync"/>), reading only
/// the snapshot parts the segment's expression uses, so memory stays bounded by a page whatever the customer count.
/// </summary>
public sealed class SegmentMembers(IJourneyStore store, TierCatalog tiers, TimeProvider clock)
{
    /// <summary>The customers read per page.</summary>
    public const int PageSize = JourneyScheduler.PageSize;

    /// <summary>How many customers the segment holds now.</summary>
    public async Task<long> CountAsync(Segment segment, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long count = 0;
        await JourneyScheduler.PagesAsync(after => store.CustomersInTimezoneAsync(JourneyScheduler.AllZones, after, PageSize, ct),
            async page => (await MembersOfAsync(segment, page, now, SnapshotParts.Profile, ct)).Count,
            members =>
            {
                count += members;
                return Task.CompletedTask;
            }, ct);
        return count;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> members with an id after <paramref name="afterCustomerId"/>, in id order, read
    /// with what the segment's rule needs plus <paramref name="alsoRead"/>.
    /// </summary>
    public async Task<IReadOnlyList<CustomerSnapshot>> PageAsync(Segment segment, long afterCustomerId, int limit, CancellationToken ct,
        SnapshotParts alsoRead = SnapshotParts.Profile)
    {
        var members = new List<CustomerSnapshot>(limit);
        await foreach (var member in MembersAsync(segment, afterCustomerId, ct, alsoRead))
        {
            members.Add(member);
            if (members.Count == limit) break;
        }
        return members;
    }

    /// <summary>Every member after <paramref name="afterCustomerId"/>, in id order, a page of customers read at a time.</summary>
    public async IAsyncEnumerable<CustomerSnapshot> MembersAsync(Segment segment, long afterCustomerId, [EnumeratorCancellation] CancellationToken ct,
        SnapshotParts alsoRead = SnapshotParts.Profile)
    {
        var now = clock.GetUtcNow();
        var after = afterCustomerId;
        while (true)
        {
            var page = await store.CustomersInTimezoneAsync(JourneyScheduler.AllZones, after, PageSize, ct);
            if (page.Count == 0) yield break;
            after = page[^1];
            foreach (var member in await MembersOfAsync(segment, page, now, alsoRead, ct)) yield return member;
        }
    }

    /// <summary>The customers of a page the segment holds, in id order.</summary>
    private async Task<List<CustomerSnapshot>> MembersOfAsync(Segment segment, IReadOnlyList<long> page, DateTimeOffset now, SnapshotParts alsoRead,
        CancellationToken ct)
    {
        var rule = segment.Rule;
        var noEvent = new EventFacts();
        var program = tiers.Program;
        var members = new List<CustomerSnapshot>();
        foreach (var snapshot in await store.SnapshotsAsync(page, rule.Reads | alsoRead, ct))
        {
            if (rule.Evaluate(FactsBuilder.Facts(snapshot, null, noEvent, now, program), now).Holds) members.Add(snapshot);
        }
        members.Sort((a, b) => a.Profile.Id.CompareTo(b.Profile.Id));
        return members;
    }
}
