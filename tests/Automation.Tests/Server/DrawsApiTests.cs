using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Points lucky draws through the HTTP API on both databases: an entry spends points and records its prize once per
/// key, and each bad request is a problem that says why and leaves points, stock and the day's entries as they were.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class DrawsApiTests(string provider)
{
    // 15:30 UTC: 23:30 in Shanghai, half an hour before the customers' next local day.
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T15:30:00Z", CultureInfo.InvariantCulture);

    private const string Tiers = """
        { "Tiers": [ { "Name": "Member", "Perks": {} }, { "Name": "Gold", "MinSpend": 1000, "Perks": {} } ] }
        """;

    private const string Lucky = """
        {
          "EntryCost": 50,
          "DailyLimit": 2,
          "Prizes": [ { "Name": "bonus", "Kind": "points", "Points": 20, "Weight": 1, "Stock": 10 } ]
        }
        """;

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock);
        WriteRule("tiers.json", Tiers);
        WriteRule("draws/lucky.json", Lucky);
        WriteRule("draws/gold-only.json", Lucky.Replace("\"DailyLimit\": 2,", "\"EligibleTiers\": [\"Gold\"],"));
        WriteRule("draws/next-week.json", Lucky.Replace("\"DailyLimit\": 2,", "\"From\": \"2026-03-08T00:00:00+08:00\","));
        WriteRule("draws/sold-out.json", Lucky.Replace("\"Stock\": 10", "\"Stock\": 0"));
        _client = _factory.CreateAuthorizedClient();
        // ann: 200 points, Member, in Shanghai; bob: 1000 points and Gold; carl: 30 points.
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { timezone = "Asia/Shanghai" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "a1", total = 200 } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "carl", @event = "Order Completed", properties = new { order_id = "c1", total = 30 } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "bob", @event = "Order Completed", properties = new { order_id = "b1", total = 1000 } })).EnsureSuccessStatusCode();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void WriteRule(string path, string json)
    {
        var file = Path.Combine(_factory.ContentRoot, "rules", path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, json);
    }

    private Task<HttpResponseMessage> Enter(string customer, string draw, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/customers/{customer}/draws/{draw}");
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return _client.SendAsync(request);
    }

    private static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private async Task<long> Balance(string customer) => JsonNode.Parse(await _client.GetStringAsync($"/v1/customers/{customer}/points"))!["balance"]!.GetValue<long>();

    private async Task<JsonNode> Report(string draw) => JsonNode.Parse(await _client.GetStringAsync($"/v1/draws/{draw}/report"))!;

    [Test]
    public async Task An_entry_spends_the_points_records_the_prize_and_replays_for_its_key()
    {
        var response = await Enter("ann", "lucky", "entry-1");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await Json(response);
        var entry = body["entry"]!;
        entry["draw"]!.GetValue<string>().Should().Be("lucky");
        entry["customer"]!.GetValue<string>().Should().Be("ann");
        entry["pointsSpent"]!.GetValue<int>().Should().Be(50);
        entry["localDay"]!.GetValue<string>().Should().Be("2026-03-01");
        entry["prize"]!["name"]!.GetValue<string>().Should().Be("bonus");
        entry["prize"]!["kind"]!.GetValue<string>().Should().Be("points");
        entry["prize"]!["points"]!.GetValue<int>().Should().Be(20);
        entry["pick"]!["value"]!.GetValue<int>().Should().Be(0);
        entry["pick"]!["range"]!.GetValue<int>().Should().Be(1);
        body["balance"]!.GetValue<long>().Should().Be(170);
        body["replayed"]!.GetValue<bool>().Should().BeFalse();

        var replay = await Json(await Enter("ann", "lucky", "entry-1"));
        replay["balance"]!.GetValue<long>().Should().Be(170);
        replay["replayed"]!.GetValue<bool>().Should().BeTrue();
        replay["entry"]!["entry"]!.GetValue<long>().Should().Be(entry["entry"]!.GetValue<long>());
        (await Balance("ann")).Should().Be(170);

        var history = JsonNode.Parse(await _client.GetStringAsync("/v1/customers/ann/points"))!["history"]!.AsArray();
        history.Select(h => (h!["points"]!.GetValue<int>(), h["kind"]!.GetValue<string>(), h["reason"]!.GetValue<string>())).Should().Contain([
            (-50, "redeem", "draw lucky"), (20, "award", "draw lucky: bonus")]);

        var draws = JsonNode.Parse(await _client.GetStringAsync("/v1/draws"))!;
        draws["draws"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()).Should().BeEquivalentTo(["lucky", "gold-only"],
            "a draw not yet open and one with nothing left are not offered");
        var lucky = draws["draws"]!.AsArray().Single(d => d!["name"]!.GetValue<string>() == "lucky")!;
        lucky["prizes"]![0]!["given"]!.GetValue<long>().Should().Be(1);
        lucky["prizes"]![0]!["left"]!.GetValue<long>().Should().Be(9);
        JsonNode.Parse(await _client.GetStringAsync("/v1/draws?all=true"))!["draws"]!.AsArray().Should().HaveCount(4);

        var report = await Report("lucky");
        report["entries"]!.GetValue<long>().Should().Be(1);
        report["pointsSpent"]!.GetValue<long>().Should().Be(50);
        report["pointsWon"]!.GetValue<long>().Should().Be(20);
        report["prizes"]![0]!["given"]!.GetValue<long>().Should().Be(1);
        report["prizes"]![0]!["stock"]!.GetValue<int>().Should().Be(10);

        var entries = JsonNode.Parse(await _client.GetStringAsync("/v1/draws/lucky/entries"))!["entries"]!.AsArray();
        entries.Should().ContainSingle();
        entries[0]!["requestKey"]!.GetValue<string>().Should().Be("entry-1");
        entries[0]!["customer"]!.GetValue<string>().Should().Be("ann");
    }

    [Test]
    public async Task Bad_requests_are_problems_that_say_why_and_change_nothing()
    {
        async Task Refused(HttpResponseMessage response, HttpStatusCode status, string reason, string detail)
        {
            response.StatusCode.Should().Be(status);
            var problem = await Json(response);
            problem["reason"]?.GetValue<string>().Should().Be(reason);
            problem["detail"]!.GetValue<string>().Should().Contain(detail);
        }

        await Refused(await Enter("ann", "lucky", null), HttpStatusCode.BadRequest, null!, "Idempotency-Key: the header is required");
        await Refused(await Enter("ann", "lucky", new string('k', 201)), HttpStatusCode.BadRequest, null!, "at most 200 characters");
        await Refused(await Enter("ann", "no-such-draw", "k"), HttpStatusCode.NotFound, null!, "No draw is named 'no-such-draw'");
        await Refused(await Enter("nobody", "lucky", "k"), HttpStatusCode.NotFound, null!, "No customer");
        await Refused(await Enter("ann", "next-week", "k"), HttpStatusCode.Conflict, "not-open", "the draw next-week is open from 2026-03-08 00:00 +08:00");
        await Refused(await Enter("ann", "gold-only", "k"), HttpStatusCode.Conflict, "not-eligible", "the draw gold-only is for the tiers Gold; the customer holds Member");
        await Refused(await Enter("ann", "sold-out", "k"), HttpStatusCode.Conflict, "out-of-stock", "every prize of the draw sold-out is out of stock");
        (await Balance("ann")).Should().Be(200);
        (await Report("sold-out"))["entries"]!.GetValue<long>().Should().Be(0);

        (await Enter("ann", "lucky", "k")).StatusCode.Should().Be(HttpStatusCode.OK, "no refusal kept the key, the day's entries or the points");
        (await Enter("ann", "lucky", "k2")).StatusCode.Should().Be(HttpStatusCode.OK);
        await Refused(await Enter("ann", "lucky", "k3"), (HttpStatusCode)429, "daily-limit", "entered the draw lucky 2 time(s) on 2026-03-01, the daily limit");
        (await Balance("ann")).Should().Be(140);
        await Refused(await Enter("carl", "lucky", "k"), HttpStatusCode.Conflict, "not-enough-points", "an entry costs 50 points; the balance is 30");
        await Refused(await Enter("ann", "gold-only", "k"), (HttpStatusCode)422, "key-reused", "the request key was used for an entry of the draw lucky");

        // Half past midnight in Shanghai: a new local day, though the same UTC day. bob, Gold, may enter the Gold draw.
        _clock.Advance(TimeSpan.FromHours(1));
        (await Json(await Enter("ann", "lucky", "k3")))["entry"]!["localDay"]!.GetValue<string>().Should().Be("2026-03-02");
        (await Json(await Enter("bob", "gold-only", "k")))["entry"]!["localDay"]!.GetValue<string>().Should().Be("2026-03-01", "bob has no zone: UTC");
        (await Report("lucky"))["entries"]!.GetValue<long>().Should().Be(3);
        await Refused(await _client.GetAsync("/v1/draws/lucky/entries?limit=0"), HttpStatusCode.BadRequest, null!, "limit");
        (await _client.GetAsync("/v1/draws/no-such-draw/report")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_bad_draw_file_is_reported_and_its_last_good_version_keeps_taking_entries()
    {
        (await Enter("ann", "lucky", "k1")).StatusCode.Should().Be(HttpStatusCode.OK);
        WriteRule("draws/lucky.json", Lucky.Replace("\"EntryCost\": 50", "\"EntryCost\": \"fifty\""));

        var problems = await Eventually.Until(async () =>
            JsonNode.Parse(await _client.GetStringAsync("/v1/draws?all=true"))!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList(),
            p => p.Count > 0);
        problems.Should().Equal($"rules{Path.DirectorySeparatorChar}draws{Path.DirectorySeparatorChar}lucky.json:2: EntryCost: must be a whole number from 1 to 1,000,000");
        var second = await Json(await Enter("ann", "lucky", "k2"));
        second["entry"]!["pointsSpent"]!.GetValue<int>().Should().Be(50);
    }
}
