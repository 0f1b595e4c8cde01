using Automation.Core.Customers;
using Automation.Core.Products;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// What purchase history adds to a customer snapshot held in memory, read from SQLite as the engines read it: the
/// figure docs/performance.md reports. The bound is loose (twice the measured figure): it catches a history that
/// grows without bound, not noise.
/// </summary>
[NonParallelizable]
public sealed class PurchaseHistoryMemoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private const int Customers = 200;

    [TestCase(10, 0)]
    [TestCase(50, 0)]
    [TestCase(50, 10)]
    public async Task A_snapshot_holds_a_few_hundred_bytes_per_product_bought_and_per_day_of_views(int productsBought, int productsViewedDaily)
    {
        await using var h = await EngineHarness.CreateAsync(StorageOptions.Sqlite, Start.AddDays(30));
        var orders = Enumerable.Range(0, Customers).Select(c => Segment.Track($"c{c}", "Order Completed", new
        {
            order_id = $"o{c}", total = 10,
            products = Enumerable.Range(0, productsBought).Select(p => new { product_id = $"product-{p:D4}", quantity = 1 }).ToArray(),
        }, Start)).ToArray();
        foreach (var batch in orders.Chunk(50)) await h.Ingest(batch);
        var ids = (await Task.WhenAll(Enumerable.Range(0, Customers).Select(c => h.Customer($"c{c}")))).Select(s => s.Profile.Id).ToList();
        if (productsViewedDaily > 0)
        {
            await using var tx = await h.Storage.Ingestion.BeginAsync(CancellationToken.None);
            var views = ids.SelectMany(id => Enumerable.Range(0, PurchaseHistory.ViewDays).SelectMany(day => Enumerable.Range(0, productsViewedDaily)
                .Select(p => new ProductViewLine(id, $"product-{p:D4}", DateOnly.FromDateTime(Start.AddDays(day).UtcDateTime), 2, Start.AddDays(day))))).ToList();
            await tx.RecordViewsAsync(views, DateOnly.FromDateTime(Start.UtcDateTime), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }

        var added = await HistoryBytes(() => h.Storage.Journeys.SnapshotsAsync(ids, SnapshotParts.Profile, CancellationToken.None),
            () => h.Storage.Journeys.SnapshotsAsync(ids, SnapshotParts.Purchases, CancellationToken.None));
        var perCustomer = added / Customers;
        TestContext.Out.WriteLine($"{productsBought} products bought, {productsViewedDaily} viewed daily for 30 days: {perCustomer:N0} bytes per snapshot, " +
            $"{added / (double)Customers / Math.Max(1, productsBought + productsViewedDaily * PurchaseHistory.ViewDays):N0} per row");
        perCustomer.Should().BeLessThan(2 * 170L * (productsBought + productsViewedDaily * PurchaseHistory.ViewDays) + 1_000);
    }

    /// <summary>
    /// What the history adds: the bytes held after a full collection by snapshots with it, less those held by
    /// snapshots without it, measured back to back. The heap is the process's: other fixtures' servers winding down
    /// allocate and free meanwhile, so of five pairs the least difference is the history's own figure (a pair another
    /// fixture disturbed measures more, or less, and the bound is loose enough for less).
    /// </summary>
    private static async Task<long> HistoryBytes(Func<Task<IReadOnlyList<CustomerSnapshot>>> without, Func<Task<IReadOnlyList<CustomerSnapshot>>> with)
    {
        var least = long.MaxValue;
        for (var pair = 0; pair < 5; pair++) least = Math.Min(least, await RetainedBytesOnce(with) - await RetainedBytesOnce(without));
        return least;
    }

    private static async Task<long> RetainedBytesOnce(Func<Task<IReadOnlyList<CustomerSnapshot>>> load)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var snapshots = await load();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(snapshots);
        snapshots.Should().HaveCount(Customers);
        return after - before;
    }
}
