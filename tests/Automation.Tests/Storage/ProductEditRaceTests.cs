using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Tests.Storage;

/// <summary>
/// Product edits racing on two servers of one PostgreSQL database: each edit sets other fields of the same product,
/// new to the catalog, at the same instant; the rows are locked before an edit is applied, so none is lost.
/// </summary>
public sealed class ProductEditRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 2, 0, 0, TimeSpan.Zero);

    private static readonly (string Field, JsonNode Value)[] Edits =
    [
        ("sku", "SKU-9"), ("name", "Oolong"), ("category", "tea"), ("brand", "Hills"), ("price", 88.5m), ("url", "https://shop.example.com/p/9"),
        ("image_url", "https://shop.example.com/p/9.jpg"), ("usage_days", 45), ("replenish", false), ("categories", new JsonArray("gifts", "new")),
    ];

    [Test]
    public async Task Edits_of_different_fields_at_once_on_two_servers_all_stay([Values(1, 2)] int round)
    {
        await using var servers = await TwoServers.StartAsync(Now, _ => { }, "/v1/products");
        var racers = Enumerable.Range(0, 16).ToArray();
        using var gate = new ManualResetEventSlim();
        var tasks = racers.Select(i => Task.Run(async () =>
        {
            var (field, value) = Edits[i % Edits.Length];
            var body = new JsonObject { [field] = value.DeepClone() };
            gate.Wait();
            var response = await servers.Client(i).PutAsJsonAsync($"/v1/products/p-{round}", body);
            response.EnsureSuccessStatusCode();
        })).ToArray();
        gate.Set();
        await Task.WhenAll(tasks);

        var product = JsonNode.Parse(await servers.Client(0).GetStringAsync($"/v1/products/p-{round}"))!;
        product["sku"]!.GetValue<string>().Should().Be("SKU-9");
        product["name"]!.GetValue<string>().Should().Be("Oolong");
        product["category"]!.GetValue<string>().Should().Be("tea");
        product["brand"]!.GetValue<string>().Should().Be("Hills");
        product["price"]!.GetValue<decimal>().Should().Be(88.5m);
        product["url"]!.GetValue<string>().Should().Be("https://shop.example.com/p/9");
        product["imageUrl"]!.GetValue<string>().Should().Be("https://shop.example.com/p/9.jpg");
        product["usageDays"]!.GetValue<int>().Should().Be(45);
        product["replenish"]!.GetValue<bool>().Should().BeFalse();
        product["categories"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal("gifts", "new");
    }
}
