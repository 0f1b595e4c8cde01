using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Referral codes through the HTTP API, with the shipped program and tag rules.</summary>
public sealed class ReferralsApiTests
{
    [Test]
    public async Task Three_friends_who_came_with_a_code_and_ordered_make_their_referrer_a_high_referrer()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T09:00:00Z", CultureInfo.InvariantCulture))).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/identify", new { userId = "ann" })).EnsureSuccessStatusCode();

        var referral = JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann/referral"))!;
        var code = referral["code"]!.GetValue<string>();
        referral["link"]!.GetValue<string>().Should().Be($"https://shop.example.com/?ref={code}");
        referral["referrals"]!.GetValue<int>().Should().Be(0);
        (await client.GetAsync("/v1/customers/nobody/referral")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        for (var i = 0; i < 3; i++)
        {
            (await client.PostAsJsonAsync("/v1/identify", new { userId = $"friend-{i}", traits = new { referral = code } })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("/v1/track", new { userId = $"friend-{i}", @event = "Order Completed", properties = new { order_id = $"o{i}", total = 30 } })).EnsureSuccessStatusCode();
        }

        JsonNode.Parse(await client.GetStringAsync("/v1/customers/friend-0/referral"))!["referredBy"]!.GetValue<string>().Should().Be("ann");
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann/referral"))!["referrals"]!.GetValue<int>().Should().Be(3);
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/ann"))!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Contain("high-referrer");
    }
}
