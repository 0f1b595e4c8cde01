using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// The rewards catalog through the HTTP API on both databases: a redemption spends points, takes stock and records
/// itself once per key; each refusal names its reason and leaves points and stock as they were; a cancellation gives
/// them back once.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class RewardsApiTests(string provider)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private const string Tiers = """
        { "Tiers": [ { "Name": "Member", "Perks": {} }, { "Name": "Gold", "MinSpend": 5000, "Perks": {} } ] }
        """;

    private const string Campaign = """
        { "Name": "mall-10", "Value": { "AmountOff": 10, "Currency": "USD" }, "Validity": { "DaysFromIssue": 30 }, "Codes": { "Generate": { "Length": 10, "Prefix": "M-" } } }
        """;

    private const string Rewards = """
        {
          "Items": [
            { "Name": "coupon-10", "Title": "10-yuan coupon", "Kind": "coupon", "Campaign": "mall-10", "Points": 1000, "Value": 10, "PerCustomer": 2, "Period": "month" },
            { "Name": "cup", "Title": "Engraved cup", "Kind": "gift", "Points": 500, "Value": 30, "Stock": 2 },
            { "Name": "gift-box", "Title": "Gold gift box", "Kind": "gift", "Points": 1000, "Stock": 5, "Tiers": ["Gold"] },
            { "Name": "charity", "Title": "10 yuan to charity", "Kind": "donation", "Charity": "Children's Fund", "Points": 1000, "Value": 10 },
            { "Name": "retired", "Title": "Old mug", "Kind": "gift", "Points": 1, "Enabled": false }
          ]
        }
        """;

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now));
        WriteRule("tiers.json", Tiers);
        WriteRule("coupons/mall-10.json", Campaign);
        WriteRule("rewards.json", Rewards);
        // A journey on the event every redemption stores.
        WriteRule("thanks.json", """
            {
              "WorkflowName": "thanks",
              "Trigger": { "Event": "Reward Redeemed", "Condition": "event.Property(\"kind\") == \"donation\"" },
              "Rules": [ { "RuleName": "note", "Expression": "journey.HoursSinceEntry >= 0", "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "thanks/note" } } } } ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(_factory.ContentRoot, "templates", "thanks"));
        File.WriteAllText(Path.Combine(_factory.ContentRoot, "templates", "thanks", "note.email.liquid"), "---\nsubject: Thanks\n---\n<p>{{ event.properties.charity }}</p>");
        _client = _factory.CreateAuthorizedClient();
        // ann: 3000 points, Member; bob: 5000 points, Gold.
        await Order("ann", "a1", 3000);
        await Order("bob", "b1", 5000);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void WriteRule(string path, string json)
    {
        var file = Path.Combine(_factory.ContentRoot, "rules", path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, json);
    }

    private async Task Order(string customer, string order, decimal total, string? coupon = null) =>
        (await _client.PostAsJsonAsync("/v1/track", new { userId = customer, @event = "Order Completed", properties = new { order_id = order, total, coupon } })).EnsureSuccessStatusCode();

    private async Task<(HttpStatusCode Status, JsonNode Body)> Post(string path, string? key = null, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await _client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private Task<(HttpStatusCode Status, JsonNode Body)> Redeem(string customer, string item, string key) => Post($"/v1/customers/{customer}/rewards/{item}/redeem", key);

    private async Task<long> Balance(string customer) => JsonNode.Parse(await _client.GetStringAsync($"/v1/customers/{customer}/points"))!["balance"]!.GetValue<long>();

    private async Task<JsonNode> Item(string name) =>
        JsonNode.Parse(await _client.GetStringAsync("/v1/rewards"))!["items"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == name)!;

    [Test]
    public async Task A_gift_spends_its_points_takes_stock_waits_for_fulfilment_and_replays_its_key()
    {
        var (status, body) = await Redeem("ann", "cup", "order-1");
        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        body["balance"]!.GetValue<long>().Should().Be(2500);
        body["redemption"]!["status"]!.GetValue<string>().Should().Be("pending");
        var id = body["redemption"]!["id"]!.GetValue<long>();

        var (again, replay) = await Redeem("ann", "cup", "order-1");
        again.Should().Be(HttpStatusCode.OK);
        replay["replayed"]!.GetValue<bool>().Should().BeTrue();
        replay["redemption"]!["id"]!.GetValue<long>().Should().Be(id);
        (await Balance("ann")).Should().Be(2500, "a repeated key spends nothing");
        (await Item("cup"))["left"]!.GetValue<long>().Should().Be(1);

        var pending = JsonNode.Parse(await _client.GetStringAsync("/v1/rewards/redemptions?status=pending"))!["redemptions"]!.AsArray();
        pending.Select(p => p!["id"]!.GetValue<long>()).Should().Equal(id);
        pending[0]!["customer"]!.GetValue<string>().Should().Be("ann");

        var (fulfilled, shipped) = await Post($"/v1/rewards/redemptions/{id}/fulfil", body: new { tracking = "SF123" });
        fulfilled.Should().Be(HttpStatusCode.OK, shipped.ToJsonString());
        shipped["redemption"]!["tracking"]!.GetValue<string>().Should().Be("SF123");
        JsonNode.Parse(await _client.GetStringAsync("/v1/rewards/redemptions?status=pending"))!["redemptions"]!.AsArray().Should().BeEmpty();

        var (cancel, refused) = await Post($"/v1/rewards/redemptions/{id}/cancel");
        cancel.Should().Be(HttpStatusCode.Conflict);
        refused["reason"]!.GetValue<string>().Should().Be("already-fulfilled");
        (await Balance("ann")).Should().Be(2500);
    }

    [Test]
    public async Task Each_refusal_names_its_reason_and_leaves_points_and_stock_as_they_were()
    {
        (await Redeem("ann", "cup", "c1")).Status.Should().Be(HttpStatusCode.OK);
        (await Redeem("bob", "cup", "c2")).Status.Should().Be(HttpStatusCode.OK);

        async Task Refused(string customer, string item, HttpStatusCode status, string reason)
        {
            var (code, body) = await Redeem(customer, item, $"refused-{item}");
            code.Should().Be(status, body.ToJsonString());
            body["reason"]!.GetValue<string>().Should().Be(reason);
            body["detail"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        }
        await Refused("ann", "cup", HttpStatusCode.Conflict, "out-of-stock");
        await Refused("ann", "gift-box", HttpStatusCode.Conflict, "tier-not-allowed");
        await Refused("ann", "retired", HttpStatusCode.Conflict, "disabled");
        await Refused("ann", "nothing-such", HttpStatusCode.NotFound, "unknown-item");
        (await Redeem("ann", "coupon-10", "k1")).Status.Should().Be(HttpStatusCode.OK);
        (await Redeem("ann", "charity", "k2")).Status.Should().Be(HttpStatusCode.OK);
        await Refused("ann", "coupon-10", HttpStatusCode.Conflict, "not-enough-points");
        (await Redeem("bob", "coupon-10", "k1")).Status.Should().Be(HttpStatusCode.OK);
        (await Redeem("bob", "coupon-10", "k2")).Status.Should().Be(HttpStatusCode.OK);
        await Refused("bob", "coupon-10", HttpStatusCode.TooManyRequests, "limit-reached");

        (await Balance("ann")).Should().Be(500);
        (await Balance("bob")).Should().Be(2500);
        (await Item("cup"))["left"]!.GetValue<long>().Should().Be(0);
        (await Post("/v1/customers/ann/rewards/cup/redeem")).Status.Should().Be(HttpStatusCode.BadRequest, "the Idempotency-Key header is required");
    }

    [Test]
    public async Task The_customer_view_says_what_can_be_redeemed_now_and_why_not()
    {
        var offers = JsonNode.Parse(await _client.GetStringAsync("/v1/customers/ann/rewards"))!["offers"]!.AsArray()
            .ToDictionary(o => o!["item"]!["name"]!.GetValue<string>(), o => o!);
        offers["cup"]["canRedeem"]!.GetValue<bool>().Should().BeTrue();
        offers["coupon-10"]["canRedeem"]!.GetValue<bool>().Should().BeTrue();
        offers["gift-box"]["reason"]!.GetValue<string>().Should().Be("tier-not-allowed");
        offers["retired"]["reason"]!.GetValue<string>().Should().Be("disabled");
        (await Balance("ann")).Should().Be(3000, "looking redeems nothing");
        (await Item("cup"))["left"]!.GetValue<long>().Should().Be(2);
    }

    [Test]
    public async Task A_coupon_item_issues_its_coupon_and_cancelling_voids_it_and_gives_back_points_and_limit_once()
    {
        var (status, body) = await Redeem("ann", "coupon-10", "k1");
        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        var code = body["redemption"]!["couponCode"]!.GetValue<string>();
        code.Should().StartWith("M-");
        body["redemption"]!["status"]!.GetValue<string>().Should().Be("fulfilled");
        var id = body["redemption"]!["id"]!.GetValue<long>();

        var (cancelled, first) = await Post($"/v1/rewards/redemptions/{id}/cancel");
        cancelled.Should().Be(HttpStatusCode.OK, first.ToJsonString());
        first["balance"]!.GetValue<long>().Should().Be(3000);
        var (again, second) = await Post($"/v1/rewards/redemptions/{id}/cancel");
        again.Should().Be(HttpStatusCode.OK);
        second["replayed"]!.GetValue<bool>().Should().BeTrue();
        (await Balance("ann")).Should().Be(3000, "the points come back once");

        // The voided coupon no longer takes money off an order.
        await Order("ann", "a2", 100, code);
        var coupons = JsonNode.Parse(await _client.GetStringAsync("/v1/metrics/coupons"))!.ToJsonString();
        coupons.Should().NotContain("\"redeemed\":1");
        // Both of the month's redemptions are free again.
        (await Redeem("ann", "coupon-10", "k2")).Status.Should().Be(HttpStatusCode.OK);
        (await Redeem("ann", "coupon-10", "k3")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_used_coupon_cannot_be_cancelled_and_a_cancelled_gift_gives_its_stock_back()
    {
        var (_, body) = await Redeem("ann", "coupon-10", "k1");
        await Order("ann", "a2", 100, body["redemption"]!["couponCode"]!.GetValue<string>());
        var (status, refused) = await Post($"/v1/rewards/redemptions/{body["redemption"]!["id"]!.GetValue<long>()}/cancel");
        status.Should().Be(HttpStatusCode.Conflict);
        refused["reason"]!.GetValue<string>().Should().Be("coupon-used");

        var (_, gift) = await Redeem("ann", "cup", "g1");
        (await Item("cup"))["left"]!.GetValue<long>().Should().Be(1);
        (await Post($"/v1/rewards/redemptions/{gift["redemption"]!["id"]!.GetValue<long>()}/cancel")).Status.Should().Be(HttpStatusCode.OK);
        (await Item("cup"))["left"]!.GetValue<long>().Should().Be(2);
        JsonNode.Parse(await _client.GetStringAsync("/v1/rewards/redemptions?status=cancelled"))!["redemptions"]!.AsArray().Should().ContainSingle();
    }

    [Test]
    public async Task A_donation_is_recorded_with_its_charity_and_starts_the_journeys_of_reward_redeemed()
    {
        var (status, body) = await Redeem("ann", "charity", "d1");
        status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        body["redemption"]!["charity"]!.GetValue<string>().Should().Be("Children's Fund");
        body["redemption"]!["status"]!.GetValue<string>().Should().Be("fulfilled");
        var customer = JsonNode.Parse(await _client.GetStringAsync("/v1/customers/ann"))!;
        customer["journeys"]!.AsArray().Select(j => j!["journey"]!.GetValue<string>()).Should().Contain("thanks");
    }

    [Test]
    public async Task A_refund_of_an_order_whose_points_were_spent_takes_the_balance_below_zero_until_new_orders_repay_it()
    {
        (await Redeem("ann", "charity", "d1")).Status.Should().Be(HttpStatusCode.OK);
        (await Redeem("ann", "charity", "d2")).Status.Should().Be(HttpStatusCode.OK);
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Refunded", properties = new { order_id = "a1" } })).EnsureSuccessStatusCode();

        (await Balance("ann")).Should().Be(-2000, "the refund takes back all 3000 points the order earned, 2000 of which were spent");
        (await Redeem("ann", "cup", "c1")).Body["reason"]!.GetValue<string>().Should().Be("not-enough-points");
        await Order("ann", "a2", 2600);
        (await Balance("ann")).Should().Be(600);
        (await Redeem("ann", "cup", "c1")).Status.Should().Be(HttpStatusCode.OK);
    }
}
