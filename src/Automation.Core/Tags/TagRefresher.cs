using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Tags;

/// <summary>
/// The daily pass over everyone, paged: tags that depend on time alone (dormant, lapsed, cart-abandoner) change
/// without any event, so they are recomputed here; the tag events it records go to the journey engine.
/// </summary>
public sealed class TagRefresher(IIngestionStore ingestion, IJourneyStore customers, TagEngine tags, JourneyEngine journeys, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Returns how many tag changes it made.</summary>
    public async Task<int> RefreshAllAsync(CancellationToken ct)
    {
        var changes = 0;
        long after = 0;
        while (true)
        {
            var page = await customers.CustomersInTimezoneAsync(JourneyScheduler.AllZones, after, PageSize, ct);
            if (page.Count == 0) return changes;
            var now = clock.GetUtcNow();
            await using (var tx = await ingestion.BeginAsync(ct))
            {
                var events = await tags.ApplyAsync(tx, page, now, ct);
                await journeys.OnEventsAsync(tx, events, now, ct);
                await tx.CommitAsync(ct);
                changes += events.Count;
            }
            after = page[^1];
        }
    }
}
