using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Tests.Server;

/// <summary>
/// Sixteen redemptions at once on PostgreSQL, spread over two servers with storages of their own on one database:
/// the balance, the stock and the request key are claimed in the database, so no interleaving passes them.
/// </summary>
[NonParallelizable]
public sealed class RewardRaceTests
{
    private const int Racers = 16;
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TwoServers _servers = null!;

    [SetUp]
    public async Task SetUp() => _servers = await TwoServers.StartAsync(Now, contentRoot =>
    {
        Directory.CreateDirectory(Path.Combine(contentRoot, "rules"));
        File.WriteAllText(Path.Combine(contentRoot, "rules", "rewards.json"), """
            { "Items": [
              { "Name": "sticker", "Title": "Sticker", "Kind": "gift", "Points": 50 },
              { "Name": "last-five", "Title": "Last five", "Kind": "gift", "Points": 10, "Stock": 5 }
            ] }
            """);
    }, "/v1/rewards");

    [TearDown]
    public async Task TearDown() => await _servers.DisposeAsync();

    private Task Order(string customer, decimal total) => _servers.OrderAsync(customer, total);

    /// <summary>Sixteen redemptions started together, alternating between the servers.</summary>
    private Task<(HttpStatusCode Status, JsonNode Body)[]> Race(Func<int, (string Customer, string Item, string Key)> attempt) =>
        _servers.RaceAsync(Racers, i =>
        {
            var (customer, item, key) = attempt(i);
            return ($"/v1/customers/{customer}/rewards/{item}/redeem", key);
        });

    private Task<T> Scalar<T>(string sql, object? parameters = null) => _servers.ScalarAsync<T>(sql, parameters);

    [Test]
    public async Task Two_servers_redeeming_for_a_customer_whose_points_cover_five_spend_exactly_five()
    {
        await Order("ann", 290);

        var results = await Race(i => ("ann", "sticker", $"redemption-{i}"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(5);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "not-enough-points");

        var ledger = await _servers.LedgerAsync();
        ledger.Should().Equal(290, -50, -50, -50, -50, -50);
        ledger.Select((_, n) => ledger.Take(n + 1).Sum()).Should().OnlyContain(balance => balance >= 0, "the balance is never below zero after any redemption");
        (await Scalar<long>("SELECT COUNT(*) FROM reward_redemptions")).Should().Be(5);
    }

    [Test]
    public async Task Sixteen_customers_racing_for_the_last_five_units_on_two_servers_get_exactly_five()
    {
        var customers = Enumerable.Range(0, Racers).Select(i => $"racer-{i}").ToList();
        (await _servers.Client(0).PostAsJsonAsync("/v1/batch", new
        {
            batch = customers.Select(c => new { type = "track", userId = c, @event = "Order Completed", properties = new { order_id = $"{c}-1", total = 100 } }),
        })).EnsureSuccessStatusCode();

        var results = await Race(i => (customers[i], "last-five", "try"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(5);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "out-of-stock");

        (await Scalar<int>("SELECT taken FROM reward_stock WHERE item = 'last-five'")).Should().Be(5, "stock left is never below zero");
        (await Scalar<long>("SELECT COUNT(*) FROM reward_redemptions WHERE item = 'last-five'")).Should().Be(5);
        (await Scalar<long>("SELECT COUNT(*) FROM points_ledger WHERE kind = 'redeem'")).Should().Be(5, "only the five spent points");
        var item = JsonNode.Parse(await _servers.Client(1).GetStringAsync("/v1/rewards"))!["items"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "last-five")!;
        item["left"]!.GetValue<long>().Should().Be(0);
    }

    [Test]
    public async Task The_same_key_sixteen_times_at_once_on_two_servers_makes_one_redemption_and_answers_it_to_all()
    {
        await Order("ann", 500);

        var results = await Race(_ => ("ann", "sticker", "checkout-42"));
        results.Should().OnlyContain(r => r.Status == HttpStatusCode.OK);
        results.Select(r => r.Body["redemption"]!["id"]!.GetValue<long>()).Distinct().Should().ContainSingle();
        results.Count(r => !r.Body["replayed"]!.GetValue<bool>()).Should().Be(1);
        (await Scalar<long>("SELECT COUNT(*) FROM reward_redemptions")).Should().Be(1);
        (await Scalar<long>("SELECT SUM(points) FROM points_ledger")).Should().Be(450);
    }
}
