using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Journeys in the running server: hot reload, bad files, the API, and the Quartz tick.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class JourneysApiTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(5);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Now);
    }

    [TearDown]
    public async Task TearDown() => await _db.DisposeAsync();

    private static async Task<JsonArray> Journeys(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("/v1/journeys"))!.AsArray();

    private static JsonNode Journey(JsonArray journeys, string name) => journeys.Single(j => j!["name"]!.GetValue<string>() == name)!;

    private static Task<JsonArray> Eventually(HttpClient client, Func<JsonArray, bool> condition) =>
        Support.Eventually.Until(() => Journeys(client), condition, ReloadWait, what: "the reloaded journeys");

    [Test]
    public async Task Shipped_journeys_are_listed_as_active_with_counts()
    {
        await using var factory = new AutomationFactory(_db, _clock).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Product Added", properties = new { product_id = "tea", price = 3 } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var journeys = await Journeys(client);
        journeys.Select(j => j!["name"]!.GetValue<string>()).Should().BeEquivalentTo(
            "birthday", "browse-abandonment", "cart-recovery", "expiring-coupons", "expiring-points", "member-day", "post-delivery-care", "presale-announcement", "replenishment", "reward-confirmation", "reward-fulfilment", "team-complete", "team-needs-one-more", "tier-upgrade", "unpaid-order", "welcome-series", "win-back");
        journeys.Should().OnlyContain(j => j!["status"]!.GetValue<string>() == "active");
        var cart = Journey(journeys, "cart-recovery");
        cart["trigger"]!.GetValue<string>().Should().Be("event: Product Added");
        cart["counts"]!["active"]!.GetValue<int>().Should().Be(1);

        var customer = JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann"))!;
        customer["journeys"]![0]!["journey"]!.GetValue<string>().Should().Be("cart-recovery");
        customer["journeys"]![0]!["status"]!.GetValue<string>().Should().Be("active");
    }

    [Test]
    public async Task A_saved_file_takes_effect_and_a_broken_one_is_reported_while_the_last_good_version_runs()
    {
        await using var factory = new AutomationFactory(_db, _clock).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        var file = Path.Combine(factory.ContentRoot, "rules", "cart-recovery.json");
        await Journeys(client);

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"Description\": \"", "\"Description\": \"Edited: "));
        await Eventually(client, js => Journey(js, "cart-recovery")["description"]!.GetValue<string>().StartsWith("Edited: ", StringComparison.Ordinal));

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("cart.ItemCount > 0", "cart.Nope > 0"));
        var journeys = await Eventually(client, js => Journey(js, "cart-recovery")["status"]!.GetValue<string>() == "invalid");
        var broken = Journey(journeys, "cart-recovery");
        broken["runningLastGoodVersion"]!.GetValue<bool>().Should().BeTrue();
        broken["errors"]![0]!["text"]!.GetValue<string>().Should().StartWith("rules/cart-recovery.json:12 reminder: Rules[0].Expression: does not compile");

        // The last good version still enters shoppers.
        (await client.PostAsJsonAsync("/v1/track", new { userId = "bo", @event = "Product Added", properties = new { product_id = "tea", price = 3 } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM journey_instances WHERE journey = 'cart-recovery'")).Should().Be(1);

        await File.WriteAllTextAsync(file, "{ not json");
        journeys = await Eventually(client, js => Journey(js, "cart-recovery")["errors"]![0]!["reason"]!.GetValue<string>().StartsWith("malformed JSON", StringComparison.Ordinal));
        Journey(journeys, "cart-recovery")["runningLastGoodVersion"]!.GetValue<bool>().Should().BeTrue();

        File.Delete(file);
        await Eventually(client, js => js.All(j => j!["name"]!.GetValue<string>() != "cart-recovery"));
    }

    [Test]
    public async Task The_quartz_job_runs_time_based_steps()
    {
        var settings = new Dictionary<string, string> { ["Scheduler:Enabled"] = "true", ["Scheduler:TickSeconds"] = "1" };
        await using var factory = new AutomationFactory(_db, _clock, settings: settings).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Product Added", properties = new { product_id = "tea", price = 3 } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        // Quartz waits on the application's clock too: time moves as the test moves it, two hours and then by seconds.
        _clock.Advance(TimeSpan.FromHours(2));
        var customer = await Support.Eventually.Until(async () =>
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            return JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann"))!;
        }, c => c["messages"]!.AsArray().Count > 0, TimeSpan.FromSeconds(20), what: "the tick's message");

        var message = customer["messages"]!.AsArray().Should().ContainSingle().Subject!;
        message["template"]!.GetValue<string>().Should().Be("cart-recovery/reminder");
        message["status"]!.GetValue<string>().Should().Be("queued");
    }

    [Test]
    public async Task Browse_abandonment_reminds_through_the_api_of_a_product_viewed_three_times_and_not_of_one_viewed_twice()
    {
        var settings = new Dictionary<string, string> { ["Scheduler:Enabled"] = "true", ["Scheduler:TickSeconds"] = "1" };
        await using var factory = new AutomationFactory(_db, _clock, settings: settings).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        foreach (var (user, views) in new[] { ("ann", 3), ("bob", 2) })
        {
            (await client.PostAsJsonAsync("/v1/identify", new { userId = user, traits = new { email = $"{user}@example.com" } })).EnsureSuccessStatusCode();
            for (var i = 0; i < views; i++)
                (await client.PostAsJsonAsync("/v1/track", new { userId = user, @event = "Product Viewed", properties = new { product_id = "boots", name = "Boots", url = "https://shop.example/p/boots" } }))
                    .StatusCode.Should().Be(HttpStatusCode.OK);
        }

        _clock.Advance(TimeSpan.FromHours(2));
        var ann = await Support.Eventually.Until(async () =>
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            return JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann"))!;
        }, c => c["messages"]!.AsArray().Count > 0, TimeSpan.FromSeconds(20), what: "the reminder");

        ann["messages"]!.AsArray().Should().ContainSingle().Subject!["template"]!.GetValue<string>().Should().Be("browse-abandonment/reminder");
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/bob"))!["messages"]!.AsArray().Should().BeEmpty("bob looked twice");
    }

    [Test]
    public async Task A_trigger_past_its_budget_is_quarantined_reported_and_ingestion_goes_on_until_the_file_is_saved_again()
    {
        await using var factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string> { ["Rules:MaxSteps"] = "1000" }).WithShippedJourneys();
        var file = Path.Combine(factory.ContentRoot, "rules", "cart-recovery.json");
        var heavy = "customer.Traits.Count < 10 || customer.Traits.Keys.Any(a => customer.Traits.Keys.Any(b => customer.Traits.Keys.Any(c => a + b + c == \\\"none\\\")))";
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file))
            .Replace("\"Trigger\": { \"Event\": \"Product Added\" }", $"\"Trigger\": {{ \"Event\": \"Product Added\", \"Condition\": \"{heavy}\" }}"));
        using var client = factory.CreateAuthorizedClient();
        object AddTea(string user) => new { userId = user, @event = "Product Added", properties = new { product_id = "tea", price = 3 } };

        (await client.PostAsJsonAsync("/v1/track", AddTea("ann"))).StatusCode.Should().Be(HttpStatusCode.OK);
        Journey(await Journeys(client), "cart-recovery")["counts"]!["active"]!.GetValue<int>().Should().Be(1);

        // 30 traits: 27,000 steps for the trigger, past the budget of 1,000.
        var traits = new JsonObject();
        for (var i = 0; i < 30; i++) traits[$"t{i}"] = i;
        (await client.PostAsJsonAsync("/v1/identify", new JsonObject { ["userId"] = "bob", ["traits"] = traits })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsJsonAsync("/v1/track", AddTea("bob"))).StatusCode.Should().Be(HttpStatusCode.OK);

        var quarantined = Journey(await Journeys(client), "cart-recovery")["quarantined"]!.AsArray().Should().ContainSingle().Subject!;
        quarantined["rule"]!.GetValue<string>().Should().Be("trigger");
        quarantined["reason"]!.GetValue<string>().Should().Be("took more than 1,000 steps (Rules:MaxSteps)");
        quarantined["customerId"]!.GetValue<string>().Should().Be("bob");
        quarantined["at"]!.GetValue<DateTimeOffset>().Should().Be(Now);

        // Other customers' events are taken and the other journeys run; the quarantined trigger enters no one.
        (await client.PostAsJsonAsync("/v1/track", AddTea("cat"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v1/customers/cat")).StatusCode.Should().Be(HttpStatusCode.OK);
        var journeys = await Journeys(client);
        Journey(journeys, "cart-recovery")["counts"]!["active"]!.GetValue<int>().Should().Be(1);
        Journey(journeys, "welcome-series")["quarantined"]!.AsArray().Should().BeEmpty();

        // Saving the file compiles it afresh: out of quarantine.
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"Description\": \"", "\"Description\": \"Lighter: "));
        await Eventually(client, js => Journey(js, "cart-recovery")["quarantined"]!.AsArray().Count == 0);
    }
}
