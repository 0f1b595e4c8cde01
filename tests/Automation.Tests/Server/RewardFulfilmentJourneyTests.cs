using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The shipped rules/rewards.json, rules/reward-fulfilment.json and rules/reward-confirmation.json together: a gift goes to the shop through the
/// webhook (an outbox message, so it is retried until delivered) and every redemption is confirmed by email.
/// </summary>
public sealed class RewardFulfilmentJourneyTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now)).WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<IReadOnlyList<(string Template, string Channel)>> Messages(string customer) =>
        [.. JsonNode.Parse(await _client.GetStringAsync($"/v1/customers/{customer}"))!["messages"]!.AsArray()
            .Select(m => (m!["template"]!.GetValue<string>(), m["channel"]!.GetValue<string>()))];

    private async Task Redeem(string customer, string item)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/customers/{customer}/rewards/{item}/redeem") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("Idempotency-Key", $"{customer}-{item}");
        var response = await _client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_gift_is_sent_to_the_shop_by_webhook_and_a_donation_only_confirmed_by_email()
    {
        foreach (var customer in new[] { "ann", "bob" })
        {
            (await _client.PostAsJsonAsync("/v1/identify", new { userId = customer, traits = new { email = $"{customer}@example.com", firstName = customer } })).EnsureSuccessStatusCode();
            (await _client.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = $"{customer}-1", total = 1000 } })).EnsureSuccessStatusCode();
        }

        await Redeem("ann", "engraved-cup");
        await Redeem("bob", "charity-10");

        (await Messages("ann")).Should().Contain([("reward-fulfilment/ship", "webhook"), ("reward-confirmation/confirm", "email")]);
        var bob = await Messages("bob");
        bob.Should().Contain(("reward-confirmation/confirm", "email"));
        bob.Should().NotContain(m => m.Template == "reward-fulfilment/ship");
    }

    [Test]
    public async Task Each_redemption_is_handled_even_when_another_came_at_the_same_instant()
    {
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "cai", traits = new { email = "cai@example.com", firstName = "Cai" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "cai", @event = "Order Completed", properties = new { order_id = "cai-1", total = 5000 } })).EnsureSuccessStatusCode();

        // A donation first: its confirmation must not hold the customer in a journey that the gift then cannot enter.
        await Redeem("cai", "charity-10");
        await Redeem("cai", "engraved-cup");

        var messages = await Messages("cai");
        messages.Count(m => m == ("reward-fulfilment/ship", "webhook")).Should().Be(1);
        messages.Count(m => m == ("reward-confirmation/confirm", "email")).Should().Be(2);
    }
}
