using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>
/// The console's customer page, rendered by the real server over the shipped tiers: points with their money value in
/// the shop's currency, the points that lapse next, and tier progress with the perks of the tier held.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed partial class CustomerPageTests(string provider)
{
    private const string Password = "correct-horse-battery";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(Start);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Templates:DefaultCurrency"] = "CNY",
        }).WithShippedJourneys();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<HttpClient> ConsoleAsync()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "ann", ["password"] = Password, ["__RequestVerificationToken"] = Token().Match(login).Groups[1].Value,
        }))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        return client;
    }

    /// <summary>The text of the page's "Points and tier" list, entities decoded, one "term: value" a line.</summary>
    private static IReadOnlyList<string> Loyalty(string page)
    {
        var list = LoyaltyList().Match(page).Groups[1].Value;
        return [.. Term().Matches(list).Select(m => $"{WebUtility.HtmlDecode(m.Groups[1].Value)}: {WebUtility.HtmlDecode(m.Groups[2].Value)}")];
    }

    [Test]
    public async Task A_gold_member_sees_points_with_their_value_the_next_to_lapse_and_how_far_diamond_is()
    {
        using (var api = _factory.CreateAuthorizedClient())
        {
            (await api.PostAsJsonAsync("/v1/identify", new { userId = "mei", traits = new { email = "mei@example.com", name = "Mei" } })).EnsureSuccessStatusCode();
            (await api.PostAsJsonAsync("/v1/track", new { userId = "mei", @event = "Order Completed", properties = new { order_id = "m1", total = 1200 } })).EnsureSuccessStatusCode();
            _clock.Advance(TimeSpan.FromDays(31));
            (await api.PostAsJsonAsync("/v1/track", new { userId = "mei", @event = "Order Completed", properties = new { order_id = "m2", total = 200 } })).EnsureSuccessStatusCode();
        }
        using var apiClient = _factory.CreateAuthorizedClient();
        var points = JsonNode.Parse(await apiClient.GetStringAsync("/v1/customers/mei/points"))!;
        var balance = points["balance"]!.GetValue<long>();
        var first = points["history"]!.AsArray().Last()!;
        var firstPoints = first["points"]!.GetValue<int>();
        var firstExpiry = first["expiresAt"]!.GetValue<DateTimeOffset>();
        balance.Should().BeGreaterThan(firstPoints, "two orders earned points");

        using var client = await ConsoleAsync();
        var page = await client.GetStringAsync("/console/customers?q=mei");

        Loyalty(page).Should().Equal(
            $"Balance: {balance.ToString("N0", CultureInfo.InvariantCulture)} points, worth ¥{(balance * 0.01m).ToString("N2", CultureInfo.InvariantCulture)}",
            $"Expiring next: {firstPoints.ToString("N0", CultureInfo.InvariantCulture)} points, worth ¥{(firstPoints * 0.01m).ToString("N2", CultureInfo.InvariantCulture)}, on {firstExpiry:yyyy-MM-dd}",
            "Tier: Gold",
            "Perks: 10 % off, free shipping, 24 h early access to pre-sales, birthday points ×2, birthday gift",
            "Next tier: Diamond: ¥1,600.00 more spend");
    }

    [Test]
    public async Task A_customer_without_orders_has_no_points_and_needs_a_first_order()
    {
        using (var api = _factory.CreateAuthorizedClient())
            (await api.PostAsJsonAsync("/v1/identify", new { userId = "new", traits = new { email = "new@example.com" } })).EnsureSuccessStatusCode();
        using var client = await ConsoleAsync();
        Loyalty(await client.GetStringAsync("/console/customers?q=new")).Should().Equal(
            "Balance: 0 points, worth ¥0.00", "Expiring next: —", "Tier: none yet", "Perks: —", "Next tier: Member: a first order");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<dl class=\"facts\" id=\"loyalty\">(.*?)</dl>", RegexOptions.Singleline)]
    private static partial Regex LoyaltyList();

    [GeneratedRegex("<dt>(.*?)</dt><dd>(.*?)</dd>", RegexOptions.Singleline)]
    private static partial Regex Term();
}
