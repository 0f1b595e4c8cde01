using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Values at the edge of their types through the real API: a clear answer, never a 500 that loses the batch.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class ExtremeValuesApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture);

    [TestCase("3000000000")]
    [TestCase("10000000000")]
    public async Task An_order_worth_more_points_than_a_ledger_entry_holds_earns_the_most_an_entry_holds(string total)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now));
        using var client = factory.CreateAuthorizedClient();

        var response = await client.PostAsJsonAsync("/v1/track", new { userId = "whale", @event = "Order Completed", properties = new { order_id = "w1", total = decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture) } });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/whale/points"))!["balance"]!.GetValue<long>().Should().Be(int.MaxValue);
    }

    [TestCase("total", "10000000000.01")]
    [TestCase("total", "100000000000000000000")]
    [TestCase("total", "79228162514264337593543950335")]
    [TestCase("discount", "100000000000000000000")]
    public async Task An_amount_past_the_supported_maximum_is_refused_naming_it(string field, string amount)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now));
        using var client = factory.CreateAuthorizedClient();
        var properties = new JsonObject { ["order_id"] = "x1", ["total"] = 10m };
        properties[field] = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        var response = await client.PostAsJsonAsync("/v1/track", new JsonObject { ["userId"] = "huge", ["event"] = "Order Completed", ["properties"] = properties });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).Should().Contain($"properties.{field}").And.Contain("at most 10,000,000,000");
        (await client.GetAsync("/v1/customers/huge")).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing of the refused message is stored");
    }

    [Test]
    public async Task A_tier_multiplier_past_the_limit_saturates_and_the_balance_adds_up_beyond_it()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now)).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();

        async Task<long> Balance() => JsonNode.Parse(await client.GetStringAsync("/v1/customers/diamond/points"))!["balance"]!.GetValue<long>();
        async Task Order(string id, decimal total)
        {
            var response = await client.PostAsJsonAsync("/v1/track", new { userId = "diamond", @event = "Order Completed", properties = new { order_id = id, total } });
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        await Order("d1", 3_000m);
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/diamond/tier"))!["tier"]!.GetValue<string>().Should().Be("Diamond");
        var before = await Balance();

        // 1.5 billion is below the limit, but Diamond's ×2 makes it 3 billion points.
        await Order("d2", 1_500_000_000m);
        await Order("d3", 1_500_000_000m);

        (await Balance()).Should().Be(before + 2L * int.MaxValue, "each order earns the most an entry holds, and the balance adds up past 32 bits");
    }

    [TestCase("9999-12-31T23:59:59Z")]
    [TestCase("0001-01-01T00:00:00Z")]
    public async Task An_order_stamped_at_either_end_of_the_calendar_is_taken_with_its_points_tier_and_journeys(string timestamp)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now)).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();

        var response = await client.PostAsJsonAsync("/v1/batch", new
        {
            batch = new object[]
            {
                new { type = "identify", userId = "edge", traits = new { email = "edge@example.com" }, timestamp },
                new { type = "track", userId = "edge", @event = "Order Completed", properties = new { order_id = "e1", total = 5_000 }, timestamp },
            },
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/edge/points"))!["history"]!.AsArray().Should().NotBeEmpty();
        (await client.GetAsync("/v1/customers/edge/tier")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v1/metrics/repurchase?from=1970-01-01&to=3000-01-01")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [TestCase("repurchase", "from=0001-01-01&to=9999-12-31", "to")]
    [TestCase("attribution", "from=0001-01-01&to=9999-12-31", "to")]
    [TestCase("attribution", "from=0001-01-01&to=2026-01-01", "from")]
    [TestCase("repurchase", "from=2026-01-01&to=9999-12-31", "to")]
    [TestCase("attribution", "from=2026-01-01&to=9999-12-31", "to")]
    [TestCase("attribution", "from=9999-12-30&to=9999-12-31", "to")]
    [TestCase("repurchase", "from=0001-01-01&to=0001-01-02", "to")]
    [TestCase("attribution", "from=2026-07-01&to=2026-01-01", "from")]
    [TestCase("repurchase", "from=9999-12-31T23:59:59Z&to=0001-01-01", "to")]
    [TestCase("loyalty", "from=0001-01-01&to=9999-12-31", "to")]
    [TestCase("loyalty", "from=2026-07-01&to=2026-01-01", "from")]
    public async Task A_report_window_beyond_the_supported_dates_is_a_400_naming_the_parameter(string report, string query, string field)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now));
        using var client = factory.CreateAuthorizedClient();

        var response = await client.GetAsync($"/v1/metrics/{report}?{query}&within=3650");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]!.GetValue<string>().Should().Be(field);
    }

    [TestCase("repurchase")]
    [TestCase("attribution")]
    [TestCase("loyalty")]
    public async Task The_widest_supported_window_answers_a_report(string report)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(Now));
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "old", @event = "Order Completed", properties = new { order_id = "o1", total = 10 }, timestamp = "1970-01-01T00:00:00Z" })).EnsureSuccessStatusCode();

        var response = await client.GetAsync($"/v1/metrics/{report}?from=1970-01-01&to=3000-01-01&within=3650");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
