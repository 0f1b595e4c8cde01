using System.Net;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary><c>GET /v1/metrics/loyalty</c> over <see cref="LoyaltyWorkedExample"/>, whose figures LoyaltyStoreTests works out by hand.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class LoyaltyMetricsApiTests(string provider)
{
    [Test]
    public async Task Loyalty_answers_the_returning_share_against_the_target_and_the_points_liability_at_the_configured_value()
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await LoyaltyWorkedExample.SeedAsync(db.Storage);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(LoyaltyWorkedExample.AsOf), settings: new Dictionary<string, string>
        {
            ["Points:Value"] = "0.02",
            ["Analytics:ReturningShareTarget"] = "0.5",
        });
        using var client = factory.CreateAuthorizedClient();

        var report = JsonNode.Parse(await client.GetStringAsync("/v1/metrics/loyalty?from=2026-01-01&to=2026-02-01"))!;

        // Midnight to midnight covers the same rows as noon to noon: nothing in the example happens on 1 January or 1 February.
        var returning = report["returning"]!;
        (returning["orders"]!.GetValue<long>(), returning["returningOrders"]!.GetValue<long>()).Should().Be((9, 6));
        returning["orderShare"]!.GetValue<double>().Should().BeApproximately(6.0 / 9, 1e-12);
        returning["revenueShare"]!.GetValue<double>().Should().BeApproximately(280.0 / 590, 1e-12);
        returning["target"]!.GetValue<double>().Should().Be(0.5);
        var points = report["points"]!;
        points["outstanding"]!.GetValue<long>().Should().Be(350);
        // 350 points at 0.02 each.
        points["liability"]!.GetValue<decimal>().Should().Be(7.00m);
        points["redemptionRate"]!.GetValue<double>().Should().BeApproximately(30.0 / 350, 1e-12);
        (points["members"]!.GetValue<long>(), points["redeemers"]!.GetValue<long>(), points["expired"]!.GetValue<long>()).Should().Be((4, 2, 40));
    }
}
