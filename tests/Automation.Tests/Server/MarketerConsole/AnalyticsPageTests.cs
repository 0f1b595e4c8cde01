using System.Net;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The analytics page's loyalty section, rendered by the real server over <see cref="LoyaltyWorkedExample"/>.</summary>
public sealed partial class AnalyticsPageTests
{
    private const string Password = "correct-horse-battery";

    [Test]
    public async Task Shows_the_returning_share_against_its_target_the_points_liability_and_repurchase_by_tier_at_the_start_and_by_membership()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await LoyaltyWorkedExample.SeedAsync(db.Storage);
        // The shipped rules: rules/tiers.json's lowest tier, Member, is the base tier.
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(LoyaltyWorkedExample.AsOf), settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Analytics:ReturningShareTarget"] = "0.5",
        }).WithShippedJourneys();
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "ann", ["password"] = Password, ["__RequestVerificationToken"] = Token().Match(login).Groups[1].Value,
        }))).StatusCode.Should().Be(HttpStatusCode.Redirect);

        var page = await client.GetStringAsync("/console/analytics?from=2026-01-01&to=2026-02-01&within=90");

        // 6 of 9 orders and 280 of 590 revenue came from returning customers (LoyaltyStoreTests works them out); the target is 50 %.
        page.Should().Contain("<h2 id=\"loyalty\">Loyalty</h2>")
            .And.Contain("<figure class=\"chart\" id=\"returning-share\"><figcaption>Returning customers&#x27; share of sales</figcaption><svg")
            .And.Contain("<th scope=\"col\">Target</th>")
            .And.Contain("<th scope=\"row\">Orders</th><td>66.7%</td><td>50%</td>")
            .And.Contain("<th scope=\"row\">Revenue</th><td>47.5%</td><td>50%</td>");
        // 350 points outstanding on 1 February at the shipped 0.01 each.
        page.Should().Contain("id=\"points-liability\"").And.Contain("350 points outstanding").And.Contain("worth 3.50")
            .And.Contain("<th scope=\"row\">Expired</th><td>40</td>");
        // By tier held at the anchor: Member (the base tier) 3 of 5 (a, e, g), Gold 0 of 1 (f); today's tiers would
        // have put e in gold and g in silver.
        page.Should().Contain("id=\"repurchase-by-tier\"")
            .And.Contain("<th scope=\"row\">Member (5)</th><td>60%</td>").And.Contain("<th scope=\"row\">gold (1)</th><td>0%</td>");
        page.Should().Contain("id=\"repurchase-by-membership\"")
            .And.Contain("<th scope=\"row\">member (1)</th><td>0%</td>").And.Contain("<th scope=\"row\">non-member (2)</th><td>100%</td>");
        page.Should().Contain("Predicted values of young cohorts are shrunk toward");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
