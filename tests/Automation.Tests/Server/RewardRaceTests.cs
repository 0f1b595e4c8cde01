using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

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

    private TestDatabase _db = null!;
    private AutomationFactory[] _servers = null!;
    private HttpClient[] _clients = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        _servers = [new AutomationFactory(_db, new FakeTimeProvider(Now)), new AutomationFactory(_db, new FakeTimeProvider(Now))];
        foreach (var server in _servers)
        {
            Directory.CreateDirectory(Path.Combine(server.ContentRoot, "rules"));
            File.WriteAllText(Path.Combine(server.ContentRoot, "rules", "rewards.json"), """
                { "Items": [
                  { "Name": "sticker", "Title": "Sticker", "Kind": "gift", "Points": 50 },
                  { "Name": "last-five", "Title": "Last five", "Kind": "gift", "Points": 10, "Stock": 5 }
                ] }
                """);
        }
        _clients = [.. _servers.Select(s => s.CreateAuthorizedClient())];
        // Both servers up (and the schema migrated) before the race, so the requests meet in the database.
        foreach (var client in _clients) (await client.GetAsync("/v1/rewards")).EnsureSuccessStatusCode();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var server in _servers) await server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task Order(string customer, decimal total) =>
        (await _clients[0].PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total } })).EnsureSuccessStatusCode();

    /// <summary>Sixteen redemptions started together, alternating between the servers.</summary>
    private async Task<(HttpStatusCode Status, JsonNode Body)[]> Race(Func<int, (string Customer, string Item, string Key)> redemption)
    {
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            var (customer, item, key) = redemption(i);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/customers/{customer}/rewards/{item}/redeem");
            request.Headers.Add("Idempotency-Key", key);
            start.Wait();
            var response = await _clients[i % 2].SendAsync(request);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        })).ToArray();
        start.Set();
        return await Task.WhenAll(racers);
    }

    private async Task<T> Scalar<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new AssertionException($"No value for {sql}");
    }

    [Test]
    public async Task Two_servers_redeeming_for_a_customer_whose_points_cover_five_spend_exactly_five()
    {
        await Order("ann", 290);

        var results = await Race(i => ("ann", "sticker", $"redemption-{i}"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(5);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "not-enough-points");

        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        var ledger = (await connection.QueryAsync<int>("SELECT points FROM points_ledger ORDER BY id")).ToList();
        ledger.Should().Equal(290, -50, -50, -50, -50, -50);
        ledger.Select((_, n) => ledger.Take(n + 1).Sum()).Should().OnlyContain(balance => balance >= 0, "the balance is never below zero after any redemption");
        (await Scalar<long>("SELECT COUNT(*) FROM reward_redemptions")).Should().Be(5);
    }

    [Test]
    public async Task Sixteen_customers_racing_for_the_last_five_units_on_two_servers_get_exactly_five()
    {
        var customers = Enumerable.Range(0, Racers).Select(i => $"racer-{i}").ToList();
        (await _clients[0].PostAsJsonAsync("/v1/batch", new
        {
            batch = customers.Select(c => new { type = "track", userId = c, @event = "Order Completed", properties = new { order_id = $"{c}-1", total = 100 } }),
        })).EnsureSuccessStatusCode();

        var results = await Race(i => (customers[i], "last-five", "try"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(5);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "out-of-stock");

        (await Scalar<int>("SELECT taken FROM reward_stock WHERE item = 'last-five'")).Should().Be(5, "stock left is never below zero");
        (await Scalar<long>("SELECT COUNT(*) FROM reward_redemptions WHERE item = 'last-five'")).Should().Be(5);
        (await Scalar<long>("SELECT COUNT(*) FROM points_ledger WHERE kind = 'redeem'")).Should().Be(5, "only the five spent points");
        var item = JsonNode.Parse(await _clients[1].GetStringAsync("/v1/rewards"))!["items"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "last-five")!;
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
