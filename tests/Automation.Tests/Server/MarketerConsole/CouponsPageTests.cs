using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The console's coupons page, rendered by the real server: the shipped campaigns and an imported one, with their figures and charts.</summary>
public sealed partial class CouponsPageTests
{
    private const string Password = "correct-horse-battery";

    [Test]
    public async Task Lists_the_campaigns_in_force_with_their_figures_and_charts()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero)), settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
        }).WithShippedJourneys();
        File.WriteAllText(Path.Combine(factory.ContentRoot, "rules", "coupons", "shop-codes.json"),
            """{ "Name": "shop-codes", "Description": "Codes the shop printed.", "Value": { "AmountOff": 20, "Currency": "USD" }, "Budget": 500, "Codes": { "Import": true } }""");
        File.WriteAllText(Path.Combine(factory.ContentRoot, "rules", "signup-code.json"), """
            { "WorkflowName": "signup-code", "Trigger": { "Event": "Signed Up" }, "ReEntry": "Never", "Rules": [
              { "RuleName": "code", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "IssueCoupon", "Context": { "Campaign": "shop-codes" } } } } ] }
            """);
        using (var api = factory.CreateAuthorizedClient())
        {
            (await api.PostAsync("/v1/coupons/shop-codes/codes", Json("""{ "codes": ["P-1", "P-2", "P-3"] }"""))).StatusCode.Should().Be(HttpStatusCode.OK);
            (await api.PostAsync("/v1/track", Json("""{ "userId": "u1", "event": "Signed Up" }"""))).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "ann", ["password"] = Password, ["__RequestVerificationToken"] = Token().Match(login).Groups[1].Value,
        }))).StatusCode.Should().Be(HttpStatusCode.Redirect);

        var page = await client.GetStringAsync("/console/coupons");

        page.Should().Contain("<a href=\"/console/coupons\" aria-current=\"page\">Coupons</a>");
        foreach (var shipped in new[] { "birthday", "cart-recovery", "member-day", "welcome-second-order", "win-back", "win-back-bigger" })
            page.Should().Contain($"<h2>{shipped}</h2>");
        page.Should().Contain("<h2>shop-codes</h2>").And.Contain("Codes the shop printed.").And.Contain("$20.00")
            .And.Contain("imported from the shop, 2 not yet issued").And.Contain("500 codes, 499 left")
            .And.Contain("generated, 10 characters after MD-").And.Contain("each code good for 1 day(s)")
            .And.Contain("<figure class=\"chart\" id=\"coupons-issued\"><figcaption>Codes issued by campaign</figcaption><svg")
            .And.Contain("<th scope=\"row\">shop-codes</th><td>1</td>").And.Contain("id=\"coupons-redemption-rate\"");

        var bad = await client.GetStringAsync("/console/coupons?from=someday");
        bad.Should().Contain("role=\"alert\"").And.Contain("from");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
