using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Segments through the HTTP API on both databases: counts (reused for a while, then fresh), the definition with a
/// sample, members paged by customer id, the CSV export, and problems for unknown names and bad paging.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class SegmentsApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string> { ["Segments:CountCacheSeconds"] = "30" });
        WriteRule("segments/big.json", """{ "Description": "Spent 500", "Expression": "stats.TotalSpent >= 500" }""");
        WriteRule("segments/nobody.json", """{ "Expression": "stats.OrderCount < 0" }""");
        WriteRule("segments/coffee-buyers.json", File.ReadAllText(Path.Combine(ServerProcess.RepositoryRoot(), "rules", "segments", "coffee-buyers.json")));
        _client = _factory.CreateAuthorizedClient();
        await Order("ann", 200);
        await Order("bob", 1000);
        await Order("carl", 30);
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "dan", traits = new { email = "dan@example.com", name = "Dan \"D\", Jr." } })).EnsureSuccessStatusCode();
        await Order("dan", 700);
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

    private async Task Order(string customer, int total) =>
        (await _client.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-{total}", total } }))
        .EnsureSuccessStatusCode();

    private async Task<JsonNode> Get(string path) => JsonNode.Parse(await _client.GetStringAsync(path))!;

    [Test]
    public async Task The_list_counts_each_segment_and_reuses_a_count_until_it_is_older_than_the_setting()
    {
        var list = await Get("/v1/segments");
        var big = list["segments"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "big")!;
        big["count"]!.GetValue<long>().Should().Be(2);
        big["countedAt"]!.GetValue<DateTimeOffset>().Should().Be(Now);
        big["countCacheSeconds"]!.GetValue<int>().Should().Be(30);
        big["message"].Should().BeNull();
        var nobody = list["segments"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "nobody")!;
        nobody["count"]!.GetValue<long>().Should().Be(0);
        nobody["message"]!.GetValue<string>().Should().Contain("No customer");

        await Order("eve", 900);
        _clock.Advance(TimeSpan.FromSeconds(29));
        (await Get("/v1/segments/big"))["segment"]!["count"]!.GetValue<long>().Should().Be(2, "the count is reused within 30 s");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var fresh = (await Get("/v1/segments/big"))["segment"]!;
        fresh["count"]!.GetValue<long>().Should().Be(3);
        fresh["countedAt"]!.GetValue<DateTimeOffset>().Should().Be(Now.AddSeconds(30));
    }

    [Test]
    public async Task The_shipped_coffee_buyers_are_those_who_bought_coffee_in_the_last_180_days()
    {
        foreach (var (customer, category) in new[] { ("fay", "coffee"), ("gus", "tea") })
            (await _client.PostAsJsonAsync("/v1/track", new
            {
                userId = customer, @event = "Order Completed",
                properties = new { order_id = $"{customer}-beans", total = 20, products = new[] { new { product_id = $"{category}-1", name = category, category, price = 20, quantity = 1 } } },
            })).EnsureSuccessStatusCode();

        (await Get("/v1/segments/coffee-buyers/customers"))["customers"]!.AsArray().Select(c => c!["externalId"]!.GetValue<string>()).Should().Equal("fay");
        _clock.Advance(TimeSpan.FromDays(181));
        (await Get("/v1/segments/coffee-buyers/customers"))["customers"]!.AsArray().Should().BeEmpty("the purchase is older than 180 days");
    }

    [Test]
    public async Task A_segment_shows_its_definition_and_a_sample_and_pages_its_members_by_customer_id()
    {
        var one = await Get("/v1/segments/big");
        one["segment"]!["expression"]!.GetValue<string>().Should().Be("stats.TotalSpent >= 500");
        one["sample"]!.AsArray().Select(c => c!["externalId"]!.GetValue<string>()).Should().Equal("bob", "dan");

        var first = await Get("/v1/segments/big/customers?limit=1");
        first["customers"]!.AsArray().Select(c => c!["externalId"]!.GetValue<string>()).Should().Equal("bob");
        var next = first["next"]!.GetValue<long>();
        var second = await Get($"/v1/segments/big/customers?limit=1&after={next}");
        second["customers"]!.AsArray().Select(c => c!["email"]!.GetValue<string>()).Should().Equal("dan@example.com");
        var last = await Get($"/v1/segments/big/customers?limit=1&after={second["next"]!.GetValue<long>()}");
        last["customers"]!.AsArray().Should().BeEmpty();
        last["next"].Should().BeNull();
    }

    [Test]
    public async Task The_csv_export_quotes_fields_as_rfc_4180_asks()
    {
        var response = await _client.GetAsync("/v1/segments/big/customers.csv");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");
        lines[0].Should().Be("customerId,externalId,anonymousId,email,phone,name");
        lines[1].Should().MatchRegex("^[0-9]+,bob,,,,$");
        lines[2].Should().MatchRegex("^[0-9]+,dan,,dan@example.com,,\"Dan \"\"D\"\", Jr.\"$");
        lines[3].Should().BeEmpty();
        lines.Should().HaveCount(4);
    }

    [Test]
    public async Task The_export_command_writes_the_same_csv_as_the_api()
    {
        var api = await _client.GetStringAsync("/v1/segments/big/customers.csv");
        var file = Path.Combine(_factory.ContentRoot, "big.csv");
        var (code, _, errors) = await AutomationCli.RunAsync(["segment", "export", "big", "--out", file, "--contentRoot", _factory.ContentRoot,
            "--Storage:Provider", _db.Provider, "--Storage:ConnectionString", _db.ConnectionString], clock: _clock);
        code.Should().Be(0, errors);
        errors.Should().Contain("2 customer(s) of segment big written to");
        (await File.ReadAllTextAsync(file)).Should().Be(api);

        var empty = await AutomationCli.RunAsync(["segment", "export", "nobody", "--contentRoot", _factory.ContentRoot,
            "--Storage:Provider", _db.Provider, "--Storage:ConnectionString", _db.ConnectionString], clock: _clock);
        empty.Code.Should().Be(0, empty.Err);
        empty.Err.Should().Contain("Segment nobody holds no customer now: the CSV has its header only.");
        empty.Out.Trim().Split('\n').Should().ContainSingle("the header alone");

        var unknown = await AutomationCli.RunAsync(["segment", "export", "nope", "--contentRoot", _factory.ContentRoot], clock: _clock);
        unknown.Code.Should().Be(1);
        unknown.Err.Should().Contain("no segment 'nope'");
    }

    [Test]
    public async Task Unknown_segments_are_404_problems_and_bad_paging_is_400()
    {
        foreach (var path in new[] { "/v1/segments/nope", "/v1/segments/nope/customers", "/v1/segments/nope/customers.csv" })
        {
            var response = await _client.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, path);
            (await response.Content.ReadAsStringAsync()).Should().Contain("rules/segments/<name>.json");
        }
        (await _client.GetAsync("/v1/segments/big/customers?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await _client.GetAsync("/v1/segments/big/customers?after=-1")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
