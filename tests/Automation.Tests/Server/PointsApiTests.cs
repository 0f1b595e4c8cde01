using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

public sealed class PointsApiTests
{
    [Test]
    public async Task Points_are_shown_with_expiry_and_redeemed_once_per_key()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T00:00:00Z", CultureInfo.InvariantCulture)),
            settings: new Dictionary<string, string> { ["Points:PerCurrencyUnit"] = "2", ["Points:ExpiryMonths"] = "6" });
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "eve", @event = "Order Completed", properties = new { order_id = "e1", total = 25 } })).EnsureSuccessStatusCode();

        var points = JsonNode.Parse(await client.GetStringAsync("/v1/customers/eve/points"))!;
        points["balance"]!.GetValue<long>().Should().Be(50);
        points["history"]![0]!["expiresAt"]!.GetValue<DateTimeOffset>().Should().Be(DateTimeOffset.Parse("2026-09-01T00:00:00Z", CultureInfo.InvariantCulture));

        var first = await client.PostAsJsonAsync("/v1/customers/eve/points/redeem", new { points = 30, idempotencyKey = "checkout-7" });
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var replay = JsonNode.Parse(await (await client.PostAsJsonAsync("/v1/customers/eve/points/redeem", new { points = 30, idempotencyKey = "checkout-7" })).Content.ReadAsStringAsync())!;
        replay["replayed"]!.GetValue<bool>().Should().BeTrue();
        replay["balance"]!.GetValue<long>().Should().Be(20);

        var refused = await client.PostAsJsonAsync("/v1/customers/eve/points/redeem", new { points = 30, idempotencyKey = "checkout-8" });
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["balance"]!.GetValue<long>().Should().Be(20);
        (await client.PostAsJsonAsync("/v1/customers/eve/points/redeem", new { points = 5 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await client.GetStringAsync("/v1/customers/eve"))!["points"]!["balance"]!.GetValue<long>().Should().Be(20);
    }
}
