using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// Storefront batches describing the same products in different orders, ingested by 16 senders on two servers of one
/// PostgreSQL database at the same instant: catalog rows are written in one order, so no ingest deadlocks on another,
/// and every product ends with its newest description.
/// </summary>
public sealed class ProductSightingRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 2, 0, 0, TimeSpan.Zero);
    private const int Products = 40;

    [Test]
    public async Task Sixteen_senders_describing_the_same_products_in_different_orders_all_land([Values(1, 2)] int round)
    {
        await using var servers = await TwoServers.StartAsync(Now, _ => { }, "/v1/products");
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 16).Select(sender => Task.Run(async () =>
        {
            // Each sender its own order of the products and its own price, a minute newer than the sender before.
            var order = Enumerable.Range(0, Products).OrderBy(p => (p * 7919 + sender * 104729 + round) % 97).ToList();
            var batch = Segment.Batch([.. order.Select(p => Segment.Track($"shopper-{sender}-{p}", "Product Viewed",
                new { product_id = $"r{round}-{p:D2}", name = $"Product {p}", price = 10 + sender }, Now.AddMinutes(-60 + sender)))]);
            gate.Wait();
            var response = await servers.Client(sender).PostAsJsonAsync("/v1/batch", batch);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToArray();
        gate.Set();
        var answers = await Task.WhenAll(tasks);

        answers.Should().OnlyContain(a => a.StatusCode == System.Net.HttpStatusCode.OK, string.Join("\n", answers.Select(a => a.Body)));
        for (var p = 0; p < Products; p++)
        {
            var product = JsonNode.Parse(await servers.Client(p).GetStringAsync($"/v1/products/r{round}-{p:D2}"))!;
            product["price"]!.GetValue<decimal>().Should().Be(25m, "sender 15's view is the newest");
        }
        (await servers.ScalarAsync<long>("SELECT COUNT(*) FROM events")).Should().Be(16 * Products);
    }
}
