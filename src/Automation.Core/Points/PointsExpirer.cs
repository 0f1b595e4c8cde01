using System.Globalization;
using Automation.Core.Storage;

namespace Automation.Core.Points;

/// <summary>The daily pass that lets lapsed points go: an <c>expire</c> entry per customer for what is left of their expired lots.</summary>
public sealed class PointsExpirer(IIngestionStore store, IJourneyStore customers, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Returns how many points lapsed.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lapsed = 0;
        long after = 0;
        while (true)
        {
            var page = await customers.CustomersWithExpiredPointsAsync(now, after, PageSize, ct);
            if (page.Count == 0) return lapsed;
            await using (var tx = await store.BeginAsync(ct))
            {
                await tx.LockCustomersAsync(page, ct);
                foreach (var customerId in page)
                {
                    var points = PointsExpiry.Lapsed(await tx.LoadPointsAsync(customerId, ct), now);
                    if (points <= 0) continue;
                    var key = $"expire:{customerId.ToString(CultureInfo.InvariantCulture)}:{now.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
                    await tx.AddPointsAsync(customerId, -points, PointsKinds.Expire, "points expired", key, now, null, ct);
                    lapsed += points;
                }
                await tx.CommitAsync(ct);
            }
            after = page[^1];
        }
    }
}
