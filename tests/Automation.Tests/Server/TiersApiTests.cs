using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>The shipped tiers over HTTP: the program, a customer's standing with progress and history, and a bad file.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class TiersApiTests(string provider)
{
    [Test]
    public async Task A_customer_sees_their_tier_what_it_brings_and_how_far_the_next_one_is()
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture));
        await using var factory = new AutomationFactory(db, clock).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        foreach (var (id, total) in new[] { ("o1", 120), ("o2", 200) })
            (await client.PostAsJsonAsync("/v1/track", new { userId = "ivy", @event = "Order Completed", properties = new { order_id = id, total } })).EnsureSuccessStatusCode();

        var tier = JsonNode.Parse(await client.GetStringAsync("/v1/customers/ivy/tier"))!;
        tier["tier"]!.GetValue<string>().Should().Be("Silver", "320 over the year passes Silver's 300");
        tier["multiplier"]!.GetValue<decimal>().Should().Be(1.25m);
        tier["perks"]!["free_shipping_over"]!.GetValue<int>().Should().Be(25);
        tier["window"]!["spend"]!.GetValue<decimal>().Should().Be(320m);
        tier["next"]!["name"]!.GetValue<string>().Should().Be("Gold");
        tier["next"]!["spendNeeded"]!.GetValue<decimal>().Should().Be(680m);
        tier["next"]!["ordersNeeded"]!.GetValue<int>().Should().Be(6);
        tier["history"]!.AsArray().Select(h => $"{h!["from"]}->{h["to"]}").Should().Equal("->Member", "Member->Silver");
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/ivy"))!["tier"]!.GetValue<string>().Should().Be("Silver");
        tier["perks"]!["discount_percent"]!.GetValue<decimal>().Should().Be(5m);
        tier["perks"]!["free_shipping"]!.GetValue<bool>().Should().BeFalse();
        // The shipped spend ladder: o1 brings March to 120, 1 point a unit as Member; o2 to 320, 1.5 a unit, × Silver's 1.25.
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/ivy/points"))!["balance"]!.GetValue<long>().Should().Be(120 + 375);

        // A preview shows what the dispatcher would: Silver's perks and what Gold still asks over the window.
        var preview = JsonNode.Parse(await (await client.PostAsJsonAsync("/v1/journeys/tier-upgrade/preview", new { customerId = "ivy" })).Content.ReadAsStringAsync())!;
        preview[0]!["html"]!.GetValue<string>().Should().Contain("5% off every order").And.Contain("Next up is Gold: $680.00 more or 6 more orders within the year.");

        var messages = JsonNode.Parse(await client.GetStringAsync("/v1/messages"))!.AsArray();
        messages.Select(m => m!["template"]!.GetValue<string>()).Should().Contain("tier-upgrade/congratulations");
        (await client.GetAsync("/v1/customers/nobody/tier")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_broken_tiers_file_is_reported_and_the_last_good_program_keeps_running()
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture))).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        var program = JsonNode.Parse(await client.GetStringAsync("/v1/tiers"))!;
        program["status"]!.GetValue<string>().Should().Be("active");
        program["tiers"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Should().Equal("Member", "Silver", "Gold", "Diamond");

        var file = Path.Combine(factory.ContentRoot, "rules", "tiers.json");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"MinSpend\": 1000", "\"MinSpend\": \"lots\""));
        var reported = await Eventually.Until(async () => JsonNode.Parse(await client.GetStringAsync("/v1/tiers"))!,
            tiers => tiers["status"]!.GetValue<string>() == "invalid", what: "the broken tiers file reported");
        reported["problems"]!.AsArray().Select(p => p!.GetValue<string>()).Should().ContainSingle()
            .Which.Should().StartWith("rules/tiers.json:8 Gold: Tiers[2].MinSpend: must be a number");
        reported["tiers"]!.AsArray().Should().HaveCount(4, "the last good program keeps running");

        (await client.PostAsJsonAsync("/v1/track", new { userId = "jo", @event = "Order Completed", properties = new { order_id = "j1", total = 500 } })).EnsureSuccessStatusCode();
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/jo"))!["tier"]!.GetValue<string>().Should().Be("Silver");
    }
}
