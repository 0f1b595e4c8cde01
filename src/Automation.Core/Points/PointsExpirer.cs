using System.Globalization;
using Automation.Core.Storage;

namespace Automation.Core.Points;

/// <summary>The daily pass that lets lapsed points go: an <c>expire</c> entry per customer for what is left of their expired lots.</summary>
public sealed class PointsExpirer(IIngestionStore store, IJourneyStore customers, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Returns how many points lapsed.</summary>
    public async Task<long> ExpireAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var lapsed = 0L;
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
                    var key = $"expire:{customerId.ToString(CultureInfo.InvariantCulture)}:{now.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
                    // An entry holds 32 bits: more than that lapsing at once is written off in several entries.
                    for (var part = 0; points > 0; part++)
                    {
                        var entry = (int)Math.Min(points, int.MaxValue);
                        await tx.AddPointsAsync(customerId, -entry, PointsKinds.Expire, "points expired", part == 0 ? key : $"{key}:{part.ToString(CultureInfo.InvariantCulture)}", now, null, ct);
                        points -= entry;
                        lapsed += entry;
                    }
                }
                await tx.CommitAsync(ct);
            }
            after = page[^1];
        }
    }
}
