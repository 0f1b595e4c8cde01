using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Tiers;

/// <summary>
/// The periodic tier review over everyone, paged so memory stays bounded. Downgrades happen here only; the grant
/// of each review lasts until the next occurrence of the review schedule. The events go to the journey engine.
/// </summary>
public sealed class TierReviewer(IIngestionStore ingestion, IJourneyStore customers, TierEngine tiers, JourneyEngine journeys, ICronSchedule cron, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Reviews every customer; <paramref name="reviewCron"/> is the review's own schedule. Returns how many tiers changed.</summary>
    public async Task<int> ReviewAllAsync(string reviewCron, CancellationToken ct)
    {
        if (tiers.Program is null) return 0;
        var now = clock.GetUtcNow();
        var nextReview = cron.NextOccurrence(reviewCron, TimeZoneInfo.Utc, now) ?? now.AddMonths(1);
        var changes = 0;
        long after = 0;
        while (true)
        {
            var page = await customers.CustomersInTimezoneAsync(JourneyScheduler.AllZones, after, PageSize, ct);
            if (page.Count == 0) return changes;
            await using (var tx = await ingestion.BeginAsync(ct))
            {
                var events = await tiers.ReviewAsync(tx, page, now, nextReview, ct);
                await journeys.OnEventsAsync(tx, events, clock.GetUtcNow(), ct);
                await tx.CommitAsync(ct);
                changes += events.Count;
            }
            after = page[^1];
        }
    }
}
