using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Analytics;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// <c>POST /v1/coupons/{campaign}/codes</c> and <c>GET /v1/metrics/coupons</c> through the real server: codes imported
/// over HTTP, issued by a journey on ingested events, redeemed (or not) by ingested orders, and reported.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class CouponsApiTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock);
        var rules = Path.Combine(_factory.ContentRoot, "rules");
        Directory.CreateDirectory(Path.Combine(rules, "coupons"));
        // shop-ten: the shop's codes, three at most; hello: generated. bulk and other-shop take codes for the import tests.
        Campaign(rules, "shop-ten", """ "Value": { "AmountOff": 10, "Currency": "USD" }, "Validity": { "DaysFromIssue": 7 }, "Budget": 3, "Codes": { "Import": true } """);
        Campaign(rules, "hello", """ "Value": { "PercentOff": 10 }, "Validity": { "DaysFromIssue": 30 } """);
        Campaign(rules, "bulk", """ "Value": { "PercentOff": 5 }, "Codes": { "Import": true } """);
        Campaign(rules, "other-shop", """ "Value": { "PercentOff": 5 }, "Codes": { "Import": true } """);
        File.WriteAllText(Path.Combine(rules, "signup-coupons.json"), """
            { "WorkflowName": "signup-coupons", "Trigger": { "Event": "Signed Up" }, "ReEntry": "Never", "Rules": [
              { "RuleName": "shop-code", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "IssueCoupon", "Context": { "Campaign": "shop-ten" } } } },
              { "RuleName": "hello-code", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "IssueCoupon", "Context": { "Campaign": "hello" } } } } ] }
            """);
        _client = _factory.CreateAuthorizedClient();
    }

    private static void Campaign(string rules, string name, string fields) =>
        File.WriteAllText(Path.Combine(rules, "coupons", name + ".json"), $$"""{ "Name": "{{name}}", {{fields}} }""");

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task<HttpResponseMessage> Post(string url, string json) => _client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<JsonNode> Import(string campaign, params string[] codes)
    {
        var response = await Post($"/v1/coupons/{campaign}/codes", new JsonObject { ["codes"] = new JsonArray([.. codes.Select(c => (JsonNode)c)]) }.ToJsonString());
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<long> Stored(string code)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM coupon_codes WHERE code = @code", new { code });
    }

    [Test]
    public async Task Import_answers_how_many_were_added_and_which_existed_with_their_campaign()
    {
        (await Import("other-shop", "OTHER-1"))["added"]!.GetValue<int>().Should().Be(1);
        var first = await Import("bulk", "BULK-1", "BULK-2");
        first["added"]!.GetValue<int>().Should().Be(2);
        first["existing"]!.AsArray().Should().BeEmpty();

        var second = await Import("bulk", "BULK-2", "BULK-3", "OTHER-1", "BULK-3");

        second["received"]!.GetValue<int>().Should().Be(4);
        second["added"]!.GetValue<int>().Should().Be(1);
        second["existing"]!.AsArray().Select(e => (e!["code"]!.GetValue<string>(), e["campaign"]!.GetValue<string>()))
            .Should().Equal(("BULK-2", "bulk"), ("OTHER-1", "other-shop"));
        (await Stored("BULK-3")).Should().Be(1);
    }

    [TestCase("{}", "codes")]
    [TestCase("""{ "codes": "BAD-1" }""", "codes")]
    [TestCase("""{ "codes": [] }""", "codes")]
    [TestCase("""{ "codes": ["BAD-1", ""] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "   "] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "two words"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "TAB\t"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "NUL\u0000"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "ZERO\u200BWIDTH"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "\ud800"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", 42] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", null] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1", "12345678901234567890123456789012345678901234567890123456789012345"] }""", "codes[1]")]
    [TestCase("""{ "codes": ["BAD-1" """, "body")]
    public async Task Bad_codes_are_refused_naming_the_field_and_none_is_added(string body, string field)
    {
        var response = await Post("/v1/coupons/bulk/codes", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
        (await Stored("BAD-1")).Should().Be(0, "a request is imported whole or not at all");
    }

    [Test]
    public async Task A_code_of_64_characters_is_taken()
    {
        var code = new string('Z', 64);
        (await Import("bulk", code))["added"]!.GetValue<int>().Should().Be(1);
    }

    [TestCase("no-such-campaign", HttpStatusCode.NotFound)]
    [TestCase("hello", HttpStatusCode.Conflict)]
    public async Task A_campaign_that_takes_no_codes_is_named(string campaign, HttpStatusCode status)
    {
        var response = await Post($"/v1/coupons/{campaign}/codes", """{ "codes": ["CAMPAIGN-1"] }""");

        response.StatusCode.Should().Be(status);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["errors"]![0]!["field"]!.GetValue<string>().Should().Be("campaign");
        problem["detail"]!.GetValue<string>().Should().Contain(campaign);
        (await Stored("CAMPAIGN-1")).Should().Be(0);
    }

    [Test]
    public async Task Too_many_codes_or_too_large_a_body_is_refused()
    {
        var many = new JsonObject { ["codes"] = new JsonArray([.. Enumerable.Range(0, 10_001).Select(i => (JsonNode)$"MANY-{i}")]) };
        var response = await Post("/v1/coupons/bulk/codes", many.ToJsonString());
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>().Should().Be("codes");

        // Ten thousand codes of the longest length fit well within the limit: only padding or junk reaches it.
        var large = """{ "codes": ["LARGE-1"]""" + new string(' ', 1024 * 1024) + "}";
        (await Post("/v1/coupons/bulk/codes", large)).StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await Stored("MANY-0")).Should().Be(0);
        (await Stored("LARGE-1")).Should().Be(0);
    }

    [Test]
    public async Task The_report_counts_codes_issued_by_journeys_and_the_orders_that_named_them()
    {
        (await Import("shop-ten", "SHOP-A", "SHOP-B", "SHOP-C", "SHOP-D", "SHOP-E"))["added"]!.GetValue<int>().Should().Be(5);
        foreach (var user in new[] { "u1", "u2", "u3", "u4" })
        {
            await Ingest(Segment.Identify(user, new { email = $"{user}@example.com" }, Now));
            await Ingest(Segment.Track(user, "Signed Up", timestamp: Now));
        }
        var codes = await CodesHeld();
        codes.Where(c => c.Campaign == "shop-ten").Select(c => (c.User, c.Code)).Should().Equal(new[] { ("u1", "SHOP-A"), ("u2", "SHOP-B"), ("u3", "SHOP-C") },
            "imported codes go out in code order, until the budget of three is spent");
        codes.Where(c => c.Campaign == "hello").Select(c => c.User).Should().Equal("u1", "u2", "u3", "u4");
        var hello = codes.Where(c => c.Campaign == "hello").ToDictionary(c => c.User, c => c.Code);

        _clock.Advance(TimeSpan.FromHours(1));
        await Ingest(Order("u1", "o1", 120, 10, "SHOP-A"));          // redeemed
        await Ingest(Order("u2", "o2", 80, 8, hello["u2"]));         // redeemed
        await Ingest(Order("u3", "o3", 60, 10, "SHOP-A"));           // already redeemed
        await Ingest(Order("u4", "o4", 30, 3, "NOPE-1"));            // unknown
        await Ingest(Order("u3", "o5", 40, 10, "SHOP-D"));           // unknown: imported, never issued
        _clock.Advance(TimeSpan.FromDays(8));
        await Ingest(Order("u2", "o6", 90, 10, "SHOP-B"));           // expired after 7 days

        var all = await Report("");
        all["unknownCodes"]!.GetValue<long>().Should().Be(2);
        var shop = Line(all, "shop-ten");
        shop["inForce"]!.GetValue<bool>().Should().BeTrue();
        shop["issued"]!.GetValue<long>().Should().Be(3);
        shop["redeemed"]!.GetValue<long>().Should().Be(1);
        shop["redemptionRate"]!.GetValue<double>().Should().BeApproximately(1.0 / 3, 1e-12);
        var wilson = Proportions.Wilson(1, 3);
        shop["redemptionInterval"]!["low"]!.GetValue<double>().Should().BeApproximately(wilson.Low, 1e-12);
        shop["redemptionInterval"]!["high"]!.GetValue<double>().Should().BeApproximately(wilson.High, 1e-12);
        shop["revenue"]!.GetValue<decimal>().Should().Be(120);
        shop["cost"]!.GetValue<decimal>().Should().Be(10);
        shop["codesLeft"]!.GetValue<long>().Should().Be(2);
        shop["budget"]!.GetValue<int>().Should().Be(3);
        shop["budgetLeft"]!.GetValue<long>().Should().Be(0);
        shop["expired"]!.GetValue<long>().Should().Be(1);
        shop["alreadyRedeemed"]!.GetValue<long>().Should().Be(1);
        var generated = Line(all, "hello");
        (generated["issued"]!.GetValue<long>(), generated["redeemed"]!.GetValue<long>(), generated["revenue"]!.GetValue<decimal>(), generated["cost"]!.GetValue<decimal>())
            .Should().Be((4L, 1L, 80m, 8m));
        generated["codesLeft"].Should().BeNull("a generated campaign has no stock of codes");
        generated["budgetLeft"].Should().BeNull();
        all["campaigns"]!.AsArray().Select(c => c!["campaign"]!.GetValue<string>()).Should().Equal("bulk", "hello", "other-shop", "shop-ten");

        // Codes count by when they were issued; refused orders by when they were placed; stock is counted now.
        var later = Line(await Report("?from=2026-05-02"), "shop-ten");
        (later["issued"]!.GetValue<long>(), later["redeemed"]!.GetValue<long>(), later["expired"]!.GetValue<long>(), later["alreadyRedeemed"]!.GetValue<long>())
            .Should().Be((0L, 0L, 1L, 0L));
        later["redemptionRate"].Should().BeNull();
        later["codesLeft"]!.GetValue<long>().Should().Be(2);
        var before = await Report("?to=2026-04-01");
        (Line(before, "shop-ten")["issued"]!.GetValue<long>(), before["unknownCodes"]!.GetValue<long>()).Should().Be((0L, 0L));
    }

    [TestCase("?from=2026-13-01", "from")]
    [TestCase("?to=soon", "to")]
    [TestCase("?from=2026-06-01&to=2026-05-01", "from")]
    public async Task Bad_report_parameters_are_named(string query, string field)
    {
        var response = await _client.GetAsync("/v1/metrics/coupons" + query);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
    }

    private async Task Ingest(JsonObject message)
    {
        var response = await Post($"/v1/{message["type"]}", message.ToJsonString());
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private JsonObject Order(string user, string orderId, decimal total, decimal discount, string coupon) =>
        Segment.Track(user, "Order Completed", new { order_id = orderId, total, discount, currency = "USD", coupon }, _clock.GetUtcNow());

    private async Task<JsonNode> Report(string query) => JsonNode.Parse(await _client.GetStringAsync("/v1/metrics/coupons" + query))!;

    private static JsonNode Line(JsonNode report, string campaign) =>
        report["campaigns"]!.AsArray().Single(c => c!["campaign"]!.GetValue<string>() == campaign)!;

    private async Task<List<(string Campaign, string User, string Code)>> CodesHeld()
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(string, string, string)>("""
            SELECT c.campaign, u.external_id, c.code FROM coupon_codes c JOIN customers u ON u.id = c.customer_id ORDER BY c.campaign, u.external_id
            """);
        return [.. rows];
    }
}
