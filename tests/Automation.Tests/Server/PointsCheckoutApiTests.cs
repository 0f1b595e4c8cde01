using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Points at checkout on both databases, with the shipped defaults (a point is worth 0.01, from 100 points, at most half
/// the order): the quote's figures, a commit once per key, its cancellation once, and the refusals that say why.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class PointsCheckoutApiTests(string provider)
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
        _factory = new AutomationFactory(_db, _clock);
        _client = _factory.CreateAuthorizedClient();
        // ann: 600 points; carl: 50.
        await Order("ann", 600);
        await Order("carl", 50);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task Order(string customer, decimal total) =>
        (await _client.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total } })).EnsureSuccessStatusCode();

    private Task<HttpResponseMessage> Quote(string customer, object body) => _client.PostAsJsonAsync($"/v1/customers/{customer}/points/quote", body);

    private async Task<string> QuoteId(string customer, decimal orderTotal, int? points = null)
    {
        var quote = await Json(await Quote(customer, new { orderTotal, currency = "USD", points, orderId = "o-1" }));
        return quote["quoteId"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> Commit(string customer, string quoteId, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/customers/{customer}/points/commit") { Content = JsonContent.Create(new { quoteId }) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return _client.SendAsync(request);
    }

    private Task<HttpResponseMessage> Cancel(string customer, string key) => _client.PostAsync($"/v1/customers/{customer}/points/commits/{key}/cancel", null);

    private async Task<long> Balance(string customer) => (await Json(await _client.GetAsync($"/v1/customers/{customer}/points")))["balance"]!.GetValue<long>();

    private static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [TestCase(10, null, 500, "5", "share", TestName = "Half of a 10.00 order is 500 points")]
    [TestCase(100, null, 600, "6", "balance", TestName = "The balance caps a large order")]
    [TestCase(100, 150, 150, "1.5", "requested", TestName = "The points asked for, when fewer")]
    [TestCase(3.333, null, 166, "1.66", "share", TestName = "Whole points, rounded down, never past the share")]
    [TestCase(1.5, null, 0, "0", "minimum", TestName = "Under 100 points usable nothing is")]
    [TestCase(100, 99, 0, "0", "minimum", TestName = "Asking for fewer than 100 points gets none")]
    public async Task A_quote_respects_balance_minimum_and_share(decimal orderTotal, int? points, int usable, string value, string limitedBy)
    {
        var response = await Quote("ann", new { orderTotal, currency = "usd", points });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var quote = await Json(response);
        quote["points"]!.GetValue<int>().Should().Be(usable);
        quote["value"]!.GetValue<decimal>().Should().Be(decimal.Parse(value, CultureInfo.InvariantCulture));
        quote["limitedBy"]!.GetValue<string>().Should().Be(limitedBy);
        quote["balance"]!.GetValue<long>().Should().Be(600);
        quote["currency"]!.GetValue<string>().Should().Be("USD");
        if (usable > 0) quote["expiresAt"]!.GetValue<DateTimeOffset>().Should().Be(Now.AddMinutes(15));
        else quote["quoteId"].Should().BeNull("nothing can be committed");
    }

    [Test]
    public async Task A_customer_under_the_minimum_is_quoted_nothing()
    {
        var quote = await Json(await Quote("carl", new { orderTotal = 100, currency = "USD" }));
        quote["points"]!.GetValue<int>().Should().Be(0);
        quote["limitedBy"]!.GetValue<string>().Should().Be("minimum");
    }

    [Test]
    public async Task A_commit_spends_once_per_key_and_its_cancellation_gives_back_once()
    {
        var quoteId = await QuoteId("ann", 100, 400);

        var first = await Commit("ann", quoteId, "checkout-1");
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await Json(first);
        body["committed"]!.GetValue<int>().Should().Be(400);
        body["value"]!.GetValue<decimal>().Should().Be(4m);
        body["orderId"]!.GetValue<string>().Should().Be("o-1");
        body["balance"]!.GetValue<long>().Should().Be(200);
        body["replayed"]!.GetValue<bool>().Should().BeFalse();

        var replay = await Json(await Commit("ann", quoteId, "checkout-1"));
        replay["replayed"]!.GetValue<bool>().Should().BeTrue();
        replay["committed"]!.GetValue<int>().Should().Be(400);
        (await Balance("ann")).Should().Be(200);

        var cancel = await Cancel("ann", "checkout-1");
        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
        (await Json(cancel))["restored"]!.GetValue<int>().Should().Be(400);
        var again = await Json(await Cancel("ann", "checkout-1"));
        again["replayed"]!.GetValue<bool>().Should().BeTrue();
        again["balance"]!.GetValue<long>().Should().Be(600);
        (await Balance("ann")).Should().Be(600);
        (await Cancel("ann", "never-committed")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_commit_the_balance_no_longer_covers_is_refused_with_the_balance()
    {
        var big = await QuoteId("ann", 100, 500);
        var other = await QuoteId("ann", 100, 300);
        (await Commit("ann", other, "checkout-a")).StatusCode.Should().Be(HttpStatusCode.OK);

        var refused = await Commit("ann", big, "checkout-b");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await Json(refused);
        problem["balance"]!.GetValue<long>().Should().Be(300);
        problem["detail"]!.GetValue<string>().Should().Contain("300 points").And.Contain("500 quoted");
        (await Balance("ann")).Should().Be(300);
    }

    [Test]
    public async Task Points_that_lapse_between_quote_and_commit_refuse_the_commit()
    {
        // ann's points lapse 12 months after her order: quoted a minute before, committed a minute after.
        _clock.SetUtcNow(Now.AddMonths(12).AddMinutes(-1));
        var quoteId = await QuoteId("ann", 100);
        _clock.Advance(TimeSpan.FromMinutes(2));

        var refused = await Commit("ann", quoteId, "late");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Json(refused))["balance"]!.GetValue<long>().Should().Be(0);
        (await Balance("ann")).Should().Be(0);
    }

    [Test]
    public async Task An_expired_quote_is_refused_but_a_commit_made_in_time_still_replays()
    {
        var quoteId = await QuoteId("ann", 100, 200);
        (await Commit("ann", quoteId, "in-time")).StatusCode.Should().Be(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromMinutes(16));

        var expired = await Commit("ann", quoteId, "too-late");
        expired.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Json(expired))["detail"]!.GetValue<string>().Should().Contain("expired");
        (await Json(await Commit("ann", quoteId, "in-time")))["replayed"]!.GetValue<bool>().Should().BeTrue();
        (await Balance("ann")).Should().Be(400);
    }

    [TestCase("""{"currency": "USD"}""", "orderTotal")]
    [TestCase("""{"orderTotal": 0, "currency": "USD"}""", "orderTotal")]
    [TestCase("""{"orderTotal": 10}""", "currency")]
    [TestCase("""{"orderTotal": 10, "currency": "EUR"}""", "currency")]
    [TestCase("""{"orderTotal": 10, "currency": "USD", "points": -1}""", "points")]
    public async Task A_bad_quote_request_names_the_field(string json, string field)
    {
        var response = await _client.PostAsync("/v1/customers/ann/points/quote", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response))["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
    }

    [Test]
    public async Task A_bad_commit_request_names_the_field_and_spends_nothing()
    {
        var quoteId = await QuoteId("ann", 100);
        async Task<string> FieldOf(HttpResponseMessage response)
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            return (await Json(response))["errors"]![0]!["field"]!.GetValue<string>();
        }

        (await FieldOf(await Commit("ann", quoteId, null))).Should().Be("idempotencyKey");
        (await FieldOf(await Commit("ann", "not-a-quote", "k"))).Should().Be("quoteId");
        (await FieldOf(await Commit("carl", quoteId, "k"))).Should().Be("quoteId", "the quote was issued for ann");
        (await Quote("nobody", new { orderTotal = 10, currency = "USD" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Balance("ann")).Should().Be(600);
    }
}
