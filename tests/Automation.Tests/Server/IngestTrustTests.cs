using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// What real Segment and RudderStack clients and an attacker send: every call type in one batch, poison messages beside
/// valid ones, clocks in the future, bytes that are no text. Never a 5xx, never a valid message lost, on both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class IngestTrustTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now));
        _client = _factory.CreateAuthorizedClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> Post(string route, string json) => _client.PostAsync(route, Json(json));

    private static async Task<JsonObject> Body(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private async Task<T> Scalar<T>(string sql, object? parameters = null)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private async Task<JsonObject> Customer(string id)
    {
        var response = await _client.GetAsync($"/v1/customers/{id}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, id);
        return await Body(response);
    }

    [Test]
    public async Task A_flush_with_group_alias_and_a_poison_message_stores_every_valid_message_and_keeps_the_rejected_one()
    {
        var response = await Post("/v1/batch", """
            {"batch":[
              {"type":"track","anonymousId":"flush-device","event":"Product Added","messageId":"flush-1","properties":{"product_id":"tea","price":5}},
              {"type":"alias","previousId":"flush-device","userId":"flush-user","messageId":"flush-2"},
              {"type":"identify","userId":"flush-user","messageId":"flush-3","traits":{"email":"flush@example.com"}},
              {"type":"group","userId":"flush-user","groupId":"acme","messageId":"flush-4","traits":{"name":"Acme","plan":"pro"}},
              {"type":"track","userId":"flush-user","event":"Poison","messageId":"flush-5","properties":{"note":"a\u0000b"}},
              {"type":"track","userId":"flush-user","event":"Order Completed","messageId":"flush-6","properties":{"order_id":"flush-o1","total":20}},
              {"type":"wave","userId":"flush-user","messageId":"flush-7"}
            ]}
            """);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await Body(response);
        body["accepted"]!.GetValue<int>().Should().Be(5);
        var rejected = body["rejected"]!.AsArray();
        rejected.Select(r => (r!["index"]!.GetValue<int>(), r["messageId"]!.GetValue<string>(), r["errors"]![0]!["field"]!.GetValue<string>()))
            .Should().Equal((4, "flush-5", "batch[4].properties.note"), (6, "flush-7", "batch[6].type"));

        (await Scalar<long>("SELECT COUNT(*) FROM events WHERE message_id LIKE 'flush-%'")).Should().Be(5);
        var customer = await Customer("flush-user");
        customer["anonymousId"]!.GetValue<string>().Should().Be("flush-device", "the alias bound the device's customer to the user id");
        (await Scalar<long>("SELECT COUNT(DISTINCT customer_id) FROM events WHERE message_id IN ('flush-1', 'flush-6')")).Should().Be(1,
            "the device's product view and the user's order are one customer's");
        customer["stats"]!["orderCount"]!.GetValue<int>().Should().Be(1);
        customer["traits"]!["groupId"]!.GetValue<string>().Should().Be("acme");
        customer["traits"]!["group.plan"]!.GetValue<string>().Should().Be("pro");

        var kept = JsonNode.Parse(await _client.GetStringAsync("/v1/rejected?limit=10"))!.AsArray();
        var poison = kept.Single(k => k!["messageId"]?.GetValue<string>() == "flush-5")!;
        poison["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("U+0000");
        JsonNode.Parse(poison["message"]!.GetValue<string>())!["properties"]!["note"]!.GetValue<string>().Should().Be("a\0b");

        // A client that retries the flush adds nothing twice.
        var again = await Body(await Post("/v1/batch", """{"batch":[{"type":"identify","userId":"flush-user","messageId":"flush-3","traits":{}}]}"""));
        again["accepted"]!.GetValue<int>().Should().Be(0);
    }

    [Test]
    public async Task Group_and_alias_have_routes_of_their_own()
    {
        (await Post("/v1/track", """{"anonymousId":"route-device","event":"Signed Up"}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Post("/v1/alias", """{"previousId":"route-device","userId":"route-user"}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Post("/v1/group", """{"userId":"route-user","groupId":"g-7","traits":{"industry":"tea"}}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        var customer = await Customer("route-user");
        customer["anonymousId"]!.GetValue<string>().Should().Be("route-device");
        customer["traits"]!["group.industry"]!.GetValue<string>().Should().Be("tea");

        var missing = await Post("/v1/group", """{"userId":"route-user"}""");
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"groupId\"");
        (await Post("/v1/alias", """{"userId":"route-user"}""")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [TestCase("""{"userId":"a\u0000b","event":"E"}""", "userId", "U+0000")]
    [TestCase("""{"userId":"nul-2","event":"E","properties":{"deep":[{"x":"\u0000"}]}}""", "properties.deep[0].x", "U+0000")]
    [TestCase("""{"userId":"nul-3","event":"E","properties":{"k\u0000":1}}""", "properties.k\u0000", "property name")]
    [TestCase("""{"userId":"sur-1","event":"E","properties":{"s":"\ud800"}}""", "properties.s", "lone surrogate")]
    [TestCase("""{"userId":"sur-2","event":"E","properties":{"s":"ok \udc00 then"}}""", "properties.s", "lone surrogate")]
    [TestCase("""{"userId":"old","event":"E","originalTimestamp":"0001-01-01T00:00:00Z","sentAt":"9999-12-31T00:00:00Z"}""", "originalTimestamp", "no date")]
    [TestCase("""{"userId":"rich","event":"Order Completed","properties":{"order_id":"r1","total":10000000000000}}""", "properties.total", "at most")]
    public async Task Text_a_database_cannot_hold_and_impossible_values_are_a_400_naming_the_field(string json, string field, string message)
    {
        var response = await Post("/v1/track", json);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = (await Body(response))["errors"]!.AsArray().Should().ContainSingle().Subject!;
        error["field"]!.GetValue<string>().Should().Be(field);
        error["message"]!.GetValue<string>().Should().Contain(message);
    }

    [Test]
    public async Task A_body_that_is_not_utf8_or_not_the_gzip_it_claims_is_a_400()
    {
        using (var latin1 = new ByteArrayContent([.. "{\"userId\":\"x\",\"event\":\""u8, 0xE9, 0xFF, .. "\"}"u8]))
        {
            latin1.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var response = await _client.PostAsync("/v1/track", latin1);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync()).Should().Contain("not UTF-8");
        }

        using var notGzip = new StringContent("""{"userId":"x","event":"E"}""", Encoding.UTF8, "application/json");
        notGzip.Headers.ContentEncoding.Add("gzip");
        var gzip = await _client.PostAsync("/v1/track", notGzip);
        gzip.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await gzip.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"body\"");
    }

    [Test]
    public async Task A_timestamp_days_ahead_is_replaced_by_the_receive_time_and_kept_in_the_context()
    {
        var ahead = Now.AddDays(5).ToString("O");
        var nearly = Now.AddMinutes(3).ToString("O");
        (await Post("/v1/track", $$$"""{"userId":"future","event":"Order Completed","messageId":"future-1","timestamp":"{{{ahead}}}","properties":{"order_id":"f1","total":12}}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Post("/v1/track", $$"""{"userId":"future","event":"Signed Up","messageId":"future-2","timestamp":"{{nearly}}"}""")).StatusCode.Should().Be(HttpStatusCode.OK);

        var customer = await Customer("future");
        DateTimeOffset.Parse(customer["stats"]!["firstOrderAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Should().Be(Now);
        var context = JsonNode.Parse(await Scalar<string>("SELECT CAST(context AS text) FROM events WHERE message_id = 'future-1'"))!;
        DateTimeOffset.Parse(context["futureTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Should().Be(Now.AddDays(5));
        (await Scalar<string?>("SELECT CAST(context AS text) FROM events WHERE message_id = 'future-2'")).Should().BeNull("3 minutes ahead is within the tolerance");
    }

    /// <summary>
    /// Random batches of every shape a client or an attacker could send. Whatever comes, the answer is never a 5xx, and
    /// every message it accepted is stored exactly once. The seed is fixed so a failure can be replayed.
    /// </summary>
    [Test]
    public async Task Random_batches_never_get_a_5xx_and_every_accepted_message_is_stored_once()
    {
        const int Seed = 20261204;
        var random = new Random(Seed);
        var acceptedIds = new List<string>();
        for (var request = 0; request < 40; request++)
        {
            var items = Enumerable.Range(0, random.Next(1, 12)).Select(i => Fuzz.Message(random, $"fuzz-{request}-{i}")).ToList();
            var json = "{\"batch\":[" + string.Join(",", items) + "]}";
            var response = await Post("/v1/batch", json);
            ((int)response.StatusCode).Should().BeLessThan(500, $"seed {Seed}, request {request}: {json}");
            if (response.StatusCode != HttpStatusCode.OK) continue;
            var body = await Body(response);
            var rejected = body["rejected"]!.AsArray().Select(r => r!["index"]!.GetValue<int>()).ToHashSet();
            (body["accepted"]!.GetValue<int>() + body["duplicates"]!.AsArray().Count + rejected.Count).Should().Be(items.Count, json);
            for (var i = 0; i < items.Count; i++)
                if (!rejected.Contains(i)) acceptedIds.Add($"fuzz-{request}-{i}");
        }

        acceptedIds.Should().NotBeEmpty();
        var stored = await Scalar<long>("SELECT COUNT(*) FROM events WHERE message_id LIKE 'fuzz-%'");
        var distinct = await Scalar<long>("SELECT COUNT(DISTINCT message_id) FROM events WHERE message_id LIKE 'fuzz-%'");
        stored.Should().Be(distinct);
        stored.Should().Be(acceptedIds.Count);
    }

    /// <summary>Random Segment-shaped messages, valid and not.</summary>
    private static class Fuzz
    {
        private static readonly string[] Types = ["track", "identify", "page", "screen", "group", "alias", "Track", "", "bogus"];
        private static readonly string[] Strings =
        [
            "\"tea\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udfff x\"", "\"\\ud83d\\ude00\"", "\"\\u0001\\u001f\"", "\"龙井\"",
            "\"\"", "\"   \"", "\"" + new string('x', 300) + "\"", "\"2026-05-10T12:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"",
        ];
        private static readonly string[] Numbers = ["0", "-1", "1e308", "-1e308", "2147483648", "99999999999999999999999999999999", "1.5", "1e-400", "12"];

        public static string Message(Random random, string messageId)
        {
            var fields = new List<string> { $"\"messageId\":\"{messageId}\"", $"\"type\":\"{Pick(random, Types)}\"" };
            if (random.Next(5) > 0) fields.Add($"\"userId\":{(random.Next(3) == 0 ? Value(random, 0) : $"\"fuzz-user-{random.Next(6)}\"")}");
            if (random.Next(3) == 0) fields.Add($"\"anonymousId\":{Value(random, 0)}");
            if (random.Next(2) == 0) fields.Add($"\"event\":{(random.Next(3) == 0 ? Value(random, 0) : "\"Order Completed\"")}");
            if (random.Next(3) == 0) fields.Add($"\"groupId\":{Value(random, 0)}");
            if (random.Next(3) == 0) fields.Add($"\"previousId\":{Value(random, 0)}");
            foreach (var time in new[] { "timestamp", "originalTimestamp", "sentAt" })
                if (random.Next(4) == 0) fields.Add($"\"{time}\":{Pick(random, Strings)}");
            fields.Add($"\"properties\":{{\"order_id\":{Value(random, 0)},\"total\":{Value(random, 0)},\"products\":[{Object(random, 1)}],\"x\":{Value(random, 0)}}}");
            if (random.Next(2) == 0) fields.Add($"\"traits\":{Object(random, 0)}");
            if (random.Next(3) == 0) fields.Add($"\"context\":{Object(random, 0)}");
            return "{" + string.Join(",", fields.OrderBy(_ => random.Next())) + "}";
        }

        private static string Value(Random random, int depth) => random.Next(depth < 25 ? 8 : 5) switch
        {
            0 or 1 => Pick(random, Strings),
            2 => Pick(random, Numbers),
            3 => Pick(random, ["true", "false", "null"]),
            4 => "\"v\"",
            5 => Object(random, depth + 1),
            _ => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth + 1))) + "]",
        };

        private static string Object(Random random, int depth) =>
            "{" + string.Join(",", Enumerable.Range(0, random.Next(5)).Select(i => $"{(random.Next(6) == 0 ? Pick(random, Strings) : $"\"k{i}\"")}:{Value(random, depth + 1)}")) + "}";

        private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
    }
}
