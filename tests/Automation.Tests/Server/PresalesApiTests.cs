using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// Pre-sales through the HTTP API on both databases, over the shipped rules: the shop asks whether a customer may buy
/// now and hears yes from a Gold member's early window, no before it, with the reason; bad questions are problems.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class PresalesApiTests(string provider)
{
    // The shipped new-collection sale opens to everyone on 2027-03-01 at 10:00 in Shanghai (02:00 UTC); Gold and above 24 h before.
    private static readonly DateTimeOffset OpensToEveryone = DateTimeOffset.Parse("2027-03-01T02:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(OpensToEveryone.AddDays(-30));
        _factory = new AutomationFactory(_db, _clock).WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
        // ann: Member; bob: Gold (spend 1,000 and 8 orders not needed: either threshold); dan: no tier.
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "a1", total = 100 } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "bob", @event = "Order Completed", properties = new { order_id = "b1", total = 1200 } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "dan", traits = new { email = "dan@example.com" } })).EnsureSuccessStatusCode();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<JsonNode> Access(string customer, string? product = null)
    {
        var response = await _client.GetAsync($"/v1/customers/{customer}/presales/new-collection/access{(product is null ? "" : $"?product={Uri.EscapeDataString(product)}")}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Test]
    public async Task A_gold_member_may_buy_24_hours_before_everyone_and_a_member_at_the_opening()
    {
        _clock.SetUtcNow(OpensToEveryone.AddHours(-25));
        (await Access("bob"))["allowed"]!.GetValue<bool>().Should().BeFalse("the early window has not opened");
        _clock.SetUtcNow(OpensToEveryone.AddHours(-24));
        var bob = await Access("bob", "new-season-oolong");
        bob["allowed"]!.GetValue<bool>().Should().BeTrue();
        bob["tier"]!.GetValue<string>().Should().Be("Gold");
        bob["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(OpensToEveryone.AddHours(-24));
        bob["opensToEveryoneAt"]!.GetValue<string>().Should().Be("2027-03-01T10:00:00+08:00", "times keep the sale's offset");
        bob["reason"]!.GetValue<string>().Should().Be("Early access for Gold members: open since 2027-02-28 10:00 +08:00, 24 h before everyone.");

        var ann = await Access("ann", "new-season-oolong");
        ann["allowed"]!.GetValue<bool>().Should().BeFalse();
        ann["opensAt"]!.GetValue<string>().Should().Be("2027-03-01T10:00:00+08:00");
        ann["reason"]!.GetValue<string>().Should().Be("Opens at 2027-03-01 10:00 +08:00; Member members have no early access.");
        (await Access("dan"))["tier"].Should().BeNull();

        _clock.SetUtcNow(OpensToEveryone);
        (await Access("ann", "NS-GIFT-BOX"))["allowed"]!.GetValue<bool>().Should().BeTrue();
        (await Access("dan"))["allowed"]!.GetValue<bool>().Should().BeTrue();
        var other = await Access("bob", "last-year-tea");
        other["allowed"]!.GetValue<bool>().Should().BeFalse();
        other["covered"]!.GetValue<bool>().Should().BeFalse();
    }

    [Test]
    public async Task The_tier_held_at_the_moment_of_asking_decides()
    {
        _clock.SetUtcNow(OpensToEveryone.AddHours(-12));
        (await Access("ann"))["allowed"]!.GetValue<bool>().Should().BeFalse();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "a2", total = 1000 } })).EnsureSuccessStatusCode();
        var ann = await Access("ann");
        ann["tier"]!.GetValue<string>().Should().Be("Gold");
        ann["allowed"]!.GetValue<bool>().Should().BeTrue();
    }

    [Test]
    public async Task The_sales_list_each_tiers_opening()
    {
        var list = JsonNode.Parse(await _client.GetStringAsync("/v1/presales"))!;
        list["file"]!.GetValue<string>().Should().Be("rules/presales.json");
        list["status"]!.GetValue<string>().Should().Be("active");
        var sale = list["sales"]!.AsArray().Single()!;
        sale["name"]!.GetValue<string>().Should().Be("new-collection");
        sale["products"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Contain("NS-GIFT-BOX");
        sale["tiers"]!.AsArray().Select(t => $"{t!["tier"]} {t["earlyAccessHours"]} {t["opensAt"]}").Should().Equal(
            "Member 0 2027-03-01T10:00:00+08:00", "Silver 0 2027-03-01T10:00:00+08:00",
            "Gold 24 2027-02-28T10:00:00+08:00", "Diamond 24 2027-02-28T10:00:00+08:00");
    }

    [Test]
    public async Task Unknown_sales_and_customers_are_404_and_a_bad_product_is_400_naming_it()
    {
        var response = await _client.GetAsync("/v1/customers/bob/presales/no-such-sale/access");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("No pre-sale is named 'no-such-sale'");
        response = await _client.GetAsync("/v1/customers/nobody/presales/new-collection/access");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("nobody");

        foreach (var query in new[] { "?product=", "?product=a%20b", $"?product={new string('x', 101)}", "?product=a&product=b" })
        {
            response = await _client.GetAsync($"/v1/customers/bob/presales/new-collection/access{query}");
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, query);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            problem["errors"]![0]!["field"]!.GetValue<string>().Should().Be("product");
        }
    }

    [Test]
    public async Task A_broken_presales_file_is_reported_at_its_line_and_the_last_good_sales_keep_answering()
    {
        var file = Path.Combine(_factory.ContentRoot, "rules", "presales.json");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\"EarlyAccess\": { \"MaxHours\": 24 }", "\"EarlyAccess\": { \"Tiers\": { \"Platinum\": 24 } }"));
        var reported = await Eventually.Until(async () => JsonNode.Parse(await _client.GetStringAsync("/v1/presales"))!,
            list => list["status"]!.GetValue<string>() == "invalid", what: "the broken pre-sales file reported");
        reported["problems"]!.AsArray().Select(p => p!.GetValue<string>()).Should().ContainSingle()
            .Which.Should().StartWith("rules/presales.json:12 new-collection: Sales[0].EarlyAccess.Tiers.Platinum: 'Platinum' is not a tier of rules/tiers.json");
        reported["sales"]!.AsArray().Should().ContainSingle("the last good sales keep running");
        _clock.SetUtcNow(OpensToEveryone.AddHours(-1));
        (await Access("bob"))["allowed"]!.GetValue<bool>().Should().BeTrue();
    }
}
