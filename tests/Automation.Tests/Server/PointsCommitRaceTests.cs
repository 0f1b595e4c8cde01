using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Tests.Support;

namespace Automation.Tests.Server;

/// <summary>
/// Checkout commits racing on PostgreSQL, spread over two servers with storages of their own on one database: the
/// customer's row lock orders them, so exactly the commits the balance covers succeed and it never goes below zero.
/// </summary>
[NonParallelizable]
public sealed class PointsCommitRaceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TwoServers _servers = null!;

    [SetUp]
    public async Task SetUp() => _servers = await TwoServers.StartAsync(Now, _ => { }, "/v1/tiers");

    [TearDown]
    public async Task TearDown() => await _servers.DisposeAsync();

    /// <summary><paramref name="racers"/> commits of 300 points each, quoted while the balance covered each alone, started together.</summary>
    private async Task<HttpStatusCode[]> Race(int balance, int racers)
    {
        await _servers.OrderAsync("ann", balance);
        var quote = JsonNode.Parse(await (await _servers.Client(0).PostAsJsonAsync("/v1/customers/ann/points/quote", new { orderTotal = 1000, currency = "USD", points = 300 })).Content.ReadAsStringAsync())!;
        var quoteId = quote["quoteId"]!.GetValue<string>();

        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, racers).Select(i => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers/ann/points/commit") { Content = JsonContent.Create(new { quoteId }) };
            request.Headers.Add("Idempotency-Key", $"checkout-{i}");
            start.Wait();
            return (await _servers.Client(i).SendAsync(request)).StatusCode;
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    private Task<List<int>> Ledger() => _servers.LedgerAsync();

    [Test]
    public async Task Two_commits_that_together_exceed_the_balance_spend_exactly_one()
    {
        var results = await Race(balance: 500, racers: 2);
        results.Should().BeEquivalentTo([HttpStatusCode.OK, HttpStatusCode.Conflict]);
        (await Ledger()).Should().Equal(500, -300);
    }

    [Test]
    public async Task Sixteen_commits_on_two_servers_spend_exactly_what_the_balance_covers()
    {
        var results = await Race(balance: 1000, racers: 16);
        results.Count(s => s == HttpStatusCode.OK).Should().Be(3);
        results.Where(s => s != HttpStatusCode.OK).Should().OnlyContain(s => s == HttpStatusCode.Conflict);
        var ledger = await Ledger();
        ledger.Should().Equal(1000, -300, -300, -300);
        ledger.Select((_, n) => ledger.Take(n + 1).Sum()).Should().OnlyContain(balance => balance >= 0, "the balance is never below zero after any commit");
    }
}
