using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>The HTTP API through the real ASP.NET Core pipeline, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class IngestApiTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 12, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;
    private FakeTimeProvider _clock = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock);
        _client = _factory.CreateAuthorizedClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static StringContent Json(object body) =>
        new(body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonObject> Body(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private async Task<long> Count(string sql, object? parameters = null)
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    [Test]
    public async Task The_server_migrates_its_database_on_start()
    {
        (await Count("SELECT MAX(version) FROM schema_version")).Should().Be(Automation.Storage.Migrations.SchemaMigrator.Available(_db.Storage.Dialect.Name)[^1].Version);
    }

    [Test]
    public async Task Identify_track_and_read_the_customer_back()
    {
        (await _client.PostAsync("/v1/identify", Json(new { userId = "ann", traits = new { email = "ann@example.com", name = "Ann", timezone = "Europe/Paris" } })))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.PostAsync("/v1/track", Json(new { userId = "ann", @event = "Product Added", properties = new { product_id = "tea", price = 12, quantity = 2 }, timestamp = Now.AddHours(-3) })))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.PostAsync("/v1/track", Json(new { userId = "ann", @event = "Order Completed", properties = new { order_id = "ann-1", total = 40, currency = "EUR" }, timestamp = Now.AddDays(-20) })))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var response = await _client.GetAsync("/v1/customers/ann");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var customer = await Body(response);
        customer["id"]!.GetValue<string>().Should().Be("ann");
        customer["email"]!.GetValue<string>().Should().Be("ann@example.com");
        customer["timezone"]!.GetValue<string>().Should().Be("Europe/Paris");
        customer["stats"]!["orderCount"]!.GetValue<int>().Should().Be(1);
        customer["stats"]!["totalSpent"]!.GetValue<decimal>().Should().Be(40m);
        customer["stats"]!["daysSinceLastOrder"]!.GetValue<int>().Should().Be(20);
        customer["cart"]!["itemCount"]!.GetValue<int>().Should().Be(2);
        customer["cart"]!["value"]!.GetValue<decimal>().Should().Be(24m);
        customer["cart"]!["hoursSinceLastChange"]!.GetValue<double>().Should().Be(3);
        customer["tags"]!.AsArray().Should().BeEmpty();
        customer["journeys"]!.AsArray().Should().BeEmpty();
        customer["messages"]!.AsArray().Should().BeEmpty();
    }

    [Test]
    public async Task A_replayed_message_is_reported_as_a_duplicate()
    {
        var track = new { userId = "dup", @event = "Signed Up", messageId = "dup-message-1" };
        (await Body(await _client.PostAsync("/v1/track", Json(track))))["duplicates"]!.AsArray().Should().BeEmpty();

        var replay = await Body(await _client.PostAsync("/v1/track", Json(track)));
        replay["accepted"]!.GetValue<int>().Should().Be(0);
        replay["duplicates"]!.AsArray().Select(d => d!.GetValue<string>()).Should().Equal("dup-message-1");
        (await Count("SELECT COUNT(*) FROM events WHERE message_id = 'dup-message-1'")).Should().Be(1);
    }

    [Test]
    public async Task A_batch_is_stored_whole()
    {
        var batch = Segment.Batch(
            Segment.Identify("batch-1", new { email = "b1@example.com" }),
            Segment.Track("batch-1", "Order Completed", new { order_id = "batch-o1", total = 10 }),
            Segment.Track(null, "Product Added", new { product_id = "x", price = 1 }, anonymousId: "batch-device"));
        var response = await _client.PostAsync("/v1/batch", Json(batch));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Body(response))["accepted"]!.GetValue<int>().Should().Be(3);
        (await _client.GetAsync("/v1/customers/batch-device")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_batch_with_bad_items_stores_the_good_ones_and_names_every_problem_of_the_bad()
    {
        var batch = Segment.Batch(
            Segment.Track("reject-1", "Order Completed", new { order_id = "reject-o1", total = 10 }),
            Segment.Track("reject-1", "Order Completed", new { total = "lots" }),
            new JsonObject { ["type"] = "track", ["event"] = "No id" });
        var response = await _client.PostAsync("/v1/batch", Json(batch));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await Body(response);
        body["accepted"]!.GetValue<int>().Should().Be(1);
        var fields = body["rejected"]!.AsArray().SelectMany(r => r!["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()));
        fields.Should().BeEquivalentTo("batch[1].properties.order_id", "batch[1].properties.total", "batch[2].userId");
        (await Count("SELECT COUNT(*) FROM orders WHERE order_id = 'reject-o1'")).Should().Be(1);
        (await Count("SELECT COUNT(*) FROM rejected_messages WHERE message_index IN (1, 2)")).Should().BeGreaterThanOrEqualTo(2);
    }

    [TestCase("{\"userId\": \"x\", \"event\": ", "$", "malformed JSON at line 1")]
    [TestCase("[1, 2]", "$", "must be a JSON object")]
    [TestCase("{\"event\": \"Signed Up\"}", "userId", "userId or anonymousId is required")]
    [TestCase("{\"userId\": {\"a\": 1}, \"event\": \"Signed Up\"}", "userId", "must be a string")]
    [TestCase("{\"userId\": \"x\"}", "event", "is required")]
    [TestCase("{\"userId\": \"x\", \"event\": \"E\", \"properties\": [1]}", "properties", "must be an object")]
    [TestCase("{\"userId\": \"x\", \"event\": \"E\", \"timestamp\": \"yesterday\"}", "timestamp", "ISO 8601")]
    [TestCase("{\"userId\": \"x\", \"event\": \"Product Added\", \"properties\": {\"price\": 3}}", "properties.product_id", "is required")]
    [TestCase("{\"userId\": \"x\", \"event\": \"Product Added\", \"properties\": {\"product_id\": \"p\", \"quantity\": 1.5}}", "properties.quantity", "whole number")]
    [TestCase("{\"userId\": \"x\", \"event\": \"Order Completed\", \"properties\": {\"order_id\": \"o\", \"currency\": \"dollars\"}}", "properties.currency", "at most 3 characters")]
    public async Task Bad_track_bodies_get_a_400_naming_the_field(string body, string field, string message)
    {
        var response = await _client.PostAsync("/v1/track", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = (await Body(response))["errors"]!.AsArray()[0]!;
        error["field"]!.GetValue<string>().Should().Be(field);
        error["message"]!.GetValue<string>().Should().Contain(message);
    }

    [TestCase("email", "not-an-email", "is not an email address")]
    [TestCase("phone", "0612345678", "not a valid international number")]
    [TestCase("birthday", "21/04/1990", "is not a date")]
    [TestCase("timezone", "Mars/Olympus", "IANA time zone")]
    [TestCase("locale", "xx-notreal-123", "language tag")]
    public async Task Bad_traits_get_a_400_naming_the_trait(string trait, string value, string message)
    {
        var response = await _client.PostAsync("/v1/identify", Json(new JsonObject { ["userId"] = "t", ["traits"] = new JsonObject { [trait] = value } }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = (await Body(response))["errors"]!.AsArray()[0]!;
        error["field"]!.GetValue<string>().Should().Be($"traits.{trait}");
        error["message"]!.GetValue<string>().Should().Contain(message);
    }

    [Test]
    public async Task Oversized_bodies_get_a_413()
    {
        var big = new string('x', 40 * 1024);
        var single = await _client.PostAsync("/v1/track", Json(new { userId = "big", @event = "E", properties = new { big } }));
        single.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);

        var messages = Enumerable.Range(0, 20).Select(_ => Segment.Track("big", "E", new { big })).ToArray();
        var batch = await _client.PostAsync("/v1/batch", Json(Segment.Batch(messages)));
        batch.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await Body(batch))["detail"]!.GetValue<string>().Should().Contain("500 KB");
    }

    [Test]
    public async Task More_than_a_thousand_messages_in_a_batch_is_refused()
    {
        var messages = Enumerable.Range(0, 1001).Select(i => new JsonObject { ["type"] = "track", ["userId"] = "many", ["event"] = "E" }).ToArray();
        var response = await _client.PostAsync("/v1/batch", Json(Segment.Batch(messages)));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Body(response))["errors"]![0]!["message"]!.GetValue<string>().Should().Contain("at most 1000 messages");
    }

    [Test]
    public async Task Gzip_bodies_are_accepted_as_Segment_libraries_send_them()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { userId = "gz", @event = "Signed Up" })));
        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        (await _client.PostAsync("/v1/track", content)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.GetAsync("/v1/customers/gz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Unknown_customers_and_routes_get_a_404_problem()
    {
        var customer = await _client.GetAsync("/v1/customers/nobody");
        customer.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Body(customer))["title"]!.GetValue<string>().Should().Be("Customer not found");

        var route = await _client.GetAsync("/v1/no-such-route");
        route.StatusCode.Should().Be(HttpStatusCode.NotFound);
        route.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Test]
    public async Task Every_v1_route_needs_a_key_and_says_nothing_more()
    {
        using var anonymous = _factory.CreateClient();
        var none = await anonymous.PostAsync("/v1/track", Json(new { userId = "x", @event = "E" }));
        none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key-wrong-key");
        var wrong = await anonymous.GetAsync("/v1/customers/ann");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var text = await wrong.Content.ReadAsStringAsync();
        text.Should().NotContain("wrong-key").And.NotContain("Unknown API key");
    }

    [Test]
    public async Task Segment_basic_auth_with_the_write_key_as_user_name_is_accepted()
    {
        using var segment = _factory.CreateClient();
        segment.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AutomationFactory.ApiKey}:")));
        (await segment.PostAsync("/v1/track", Json(new { userId = "segment", @event = "Signed Up" }))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task Health_needs_no_key()
    {
        using var anonymous = _factory.CreateClient();
        (await anonymous.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        var ready = await anonymous.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
    }
}
