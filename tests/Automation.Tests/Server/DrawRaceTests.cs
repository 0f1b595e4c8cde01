using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Tests.Server;

/// <summary>
/// Sixteen entries at once on PostgreSQL, spread over two servers with storages of their own on one database: the
/// balance, the stock and the request key are claimed in the database, so no interleaving passes them.
/// </summary>
[NonParallelizable]
public sealed class DrawRaceTests
{
    private const int Racers = 16;
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TwoServers _servers = null!;

    [SetUp]
    public async Task SetUp() => _servers = await TwoServers.StartAsync(Now, contentRoot =>
    {
        WriteDraw(contentRoot, "open-play", """{ "EntryCost": 50, "Prizes": [ { "Name": "thanks", "Kind": "nothing", "Weight": 1 } ] }""");
        WriteDraw(contentRoot, "scarce", """{ "EntryCost": 10, "Prizes": [ { "Name": "gold", "Kind": "points", "Points": 1, "Weight": 1, "Stock": 3 } ] }""");
    }, "/v1/draws");

    [TearDown]
    public async Task TearDown() => await _servers.DisposeAsync();

    private static void WriteDraw(string contentRoot, string name, string json)
    {
        var folder = Path.Combine(contentRoot, "rules", "draws");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"{name}.json"), json);
    }

    private Task Order(string customer, decimal total) => _servers.OrderAsync(customer, total);

    /// <summary>Sixteen entries started together, alternating between the servers.</summary>
    private Task<(HttpStatusCode Status, JsonNode Body)[]> Race(Func<int, (string Customer, string Draw, string Key)> attempt) =>
        _servers.RaceAsync(Racers, i =>
        {
            var (customer, draw, key) = attempt(i);
            return ($"/v1/customers/{customer}/draws/{draw}", key);
        });

    private Task<T> Scalar<T>(string sql, object? parameters = null) => _servers.ScalarAsync<T>(sql, parameters);

    [Test]
    public async Task Sixteen_entries_of_a_customer_whose_points_cover_five_spend_exactly_five()
    {
        await Order("ann", 290);

        var results = await Race(i => ("ann", "open-play", $"entry-{i}"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(5);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "not-enough-points");

        var ledger = await _servers.LedgerAsync();
        ledger.Should().Equal(290, -50, -50, -50, -50, -50);
        ledger.Select((_, n) => ledger.Take(n + 1).Sum()).Should().OnlyContain(balance => balance >= 0, "the balance is never below zero after any entry");
        (await Scalar<long>("SELECT COUNT(*) FROM draw_entries")).Should().Be(5);
    }

    [Test]
    public async Task Sixteen_customers_racing_for_a_prize_with_stock_three_on_two_servers_win_it_three_times()
    {
        var customers = Enumerable.Range(0, Racers).Select(i => $"racer-{i}").ToList();
        (await _servers.Client(0).PostAsJsonAsync("/v1/batch", new
        {
            batch = customers.Select(c => new { type = "track", userId = c, @event = "Order Completed", properties = new { order_id = $"{c}-1", total = 100 } }),
        })).EnsureSuccessStatusCode();

        var results = await Race(i => (customers[i], "scarce", "try"));
        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(3);
        results.Where(r => r.Status != HttpStatusCode.OK).Should().OnlyContain(r => r.Status == HttpStatusCode.Conflict && r.Body["reason"]!.GetValue<string>() == "out-of-stock");

        (await Scalar<int>("SELECT given FROM draw_prizes_given WHERE draw = 'scarce' AND prize = 'gold'")).Should().Be(3);
        (await Scalar<long>("SELECT COUNT(*) FROM draw_entries WHERE draw = 'scarce' AND prize = 'gold'")).Should().Be(3);
        (await Scalar<long>("SELECT COUNT(*) FROM points_ledger WHERE kind = 'redeem'")).Should().Be(3, "only the winners spent points");
        var report = JsonNode.Parse(await _servers.Client(1).GetStringAsync("/v1/draws/scarce/report"))!;
        report["prizes"]![0]!["given"]!.GetValue<long>().Should().Be(3);
        report["prizes"]![0]!["left"]!.GetValue<long>().Should().Be(0);
    }

    [Test]
    public async Task The_same_key_sixteen_times_at_once_on_two_servers_makes_one_entry_and_answers_it_to_all()
    {
        await Order("ann", 500);

        var results = await Race(_ => ("ann", "open-play", "checkout-42"));
        results.Should().OnlyContain(r => r.Status == HttpStatusCode.OK);
        results.Select(r => r.Body["entry"]!["entry"]!.GetValue<long>()).Distinct().Should().ContainSingle();
        results.Count(r => !r.Body["replayed"]!.GetValue<bool>()).Should().Be(1);
        (await Scalar<long>("SELECT COUNT(*) FROM draw_entries")).Should().Be(1);
        (await Scalar<long>("SELECT SUM(points) FROM points_ledger")).Should().Be(450);
    }
}
