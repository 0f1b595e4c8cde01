using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Core.Tags;

/// <summary>
/// The daily pass over everyone: RFM quintiles first (they need the whole population), then the rule tags, paged —
/// tags that depend on time alone (dormant, lapsed, cart-abandoner) or on RFM (high-value) change without any event.
/// The tag events it records go to the journey engine.
/// </summary>
public sealed class TagRefresher(IIngestionStore ingestion, IJourneyStore customers, IRfmStore rfm, TagEngine tags, JourneyEngine journeys, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Scores RFM over everyone, then recomputes every customer's rule tags; returns how many tag changes it made.</summary>
    public async Task<int> RefreshAllAsync(CancellationToken ct)
    {
        await rfm.ComputeRfmAsync(clock.GetUtcNow(), ct);
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
