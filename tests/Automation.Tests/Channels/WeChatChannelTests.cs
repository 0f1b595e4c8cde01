using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Channels;

/// <summary>
/// The <c>wechat</c> channel end to end on both databases: a journey step renders its WeChat template and the server,
/// configured as in production, sends it to a loopback server speaking the Official Account API.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class WeChatChannelTests(string provider)
{
    private const string Journey = "wechat-drill";

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private FakeWeChat _weChat = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero));
        _weChat = await FakeWeChat.StartAsync();
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Channels:WeChat:AppId"] = FakeWeChat.AppId, ["Channels:WeChat:AppSecret"] = FakeWeChat.AppSecret, ["Channels:WeChat:BaseUrl"] = _weChat.Url,
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
        });
        WriteJourney(_factory.ContentRoot);
        _client = _factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _weChat.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static void WriteJourney(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        File.WriteAllText(Path.Combine(root, "rules", $"{Journey}.json"), $$"""
            {
              "WorkflowName": "{{Journey}}",
              "Trigger": { "Event": "Order Shipped" },
              "ReEntry": "Never",
              "Rules": [
                { "RuleName": "notice", "Expression": "journey.HoursSinceEntry >= 0",
                  "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "wechat", "Template": "{{Journey}}/notice" } } } }
              ]
            }
            """);
        Directory.CreateDirectory(Path.Combine(root, "templates", Journey));
        File.WriteAllText(Path.Combine(root, "templates", Journey, "notice.wechat.liquid"), """
            ---
            template_id: ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY
            url: https://shop.example/orders/{{ event.properties.order_id }}
            ---
            first: 您好，{{ customer.first_name }}，您的订单已发货
            keyword1: {{ event.properties.order_id }}
            remark: 感谢惠顾
            """);
    }

    private async Task ShipAsync(string userId, object traits)
    {
        (await _client.PostAsJsonAsync("/v1/identify", new { userId, traits })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId, @event = "Order Shipped", properties = new { order_id = $"{userId}-1" } })).EnsureSuccessStatusCode();
        await _factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        await DispatchAsync();
    }

    private async Task DispatchAsync()
    {
        while (await _factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
    }

    private async Task<JsonObject> MessageAsync(string status) =>
        JsonNode.Parse(await _client.GetStringAsync($"/v1/messages?status={status}"))!.AsArray().Single(m => m!["channel"]!.GetValue<string>() == "wechat")!.AsObject();

    [Test]
    public async Task A_journey_step_sends_its_template_to_the_customers_openid_with_one_token_fetch()
    {
        await ShipAsync("mei", new { firstName = "美", wechat_openid = "o-mei" });

        var sent = _weChat.Accepted.Should().ContainSingle().Subject;
        sent["touser"]!.GetValue<string>().Should().Be("o-mei");
        sent["template_id"]!.GetValue<string>().Should().Be("ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY");
        sent["url"]!.GetValue<string>().Should().Be("https://shop.example/orders/mei-1");
        sent["data"]!.ToJsonString().Should().Be(new JsonObject
        {
            ["first"] = new JsonObject { ["value"] = "您好，美，您的订单已发货" },
            ["keyword1"] = new JsonObject { ["value"] = "mei-1" },
            ["remark"] = new JsonObject { ["value"] = "感谢惠顾" },
        }.ToJsonString());
        sent["client_msg_id"]!.GetValue<string>().Should().NotBeEmpty("a repeated send is not a second message");
        _weChat.TokenFetches.Should().Be(1);
        (await MessageAsync("sent"))["providerId"]!.GetValue<string>().Should().Be("200228333");

        await ShipAsync("lan", new { firstName = "兰", wechat_openid = "o-lan" });
        _weChat.Accepted.Should().HaveCount(2);
        _weChat.TokenFetches.Should().Be(1, "the token is cached until shortly before it expires");
    }

    [Test]
    public async Task A_customer_without_an_openid_is_skipped_with_the_trait_named()
    {
        await ShipAsync("noor", new { firstName = "Noor" });

        _weChat.Sends.Should().BeEmpty();
        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().Be("the customer has no WeChat openid (trait wechat_openid)");
    }

    [Test]
    public async Task A_customer_who_unfollowed_43004_is_suppressed()
    {
        await ShipAsync("gone", new { firstName = "Gone", wechat_openid = FakeWeChat.Unfollowed });

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 43004");
        (await _client.DeleteAsync($"/v1/suppressions/wechat/{FakeWeChat.Unfollowed}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the openid was suppressed");
    }

    [Test]
    public async Task A_token_WeChat_refuses_40001_is_refreshed_and_the_send_tried_once_more()
    {
        await ShipAsync("first", new { firstName = "First", wechat_openid = "o-first" });
        _weChat.RetireToken();

        await ShipAsync("second", new { firstName = "Second", wechat_openid = "o-second" });

        _weChat.TokenFetches.Should().Be(2);
        _weChat.Sends.Select(s => s.Token).Should().Equal("token-1", "token-1", "token-2");
        _weChat.Accepted.Select(a => a["touser"]!.GetValue<string>()).Should().Equal("o-first", "o-second");
    }

    [Test]
    public async Task WeChat_busy_minus_1_is_retried_later_and_then_sent()
    {
        _weChat.BusyOnce["o-busy"] = true;
        await ShipAsync("busy", new { firstName = "Busy", wechat_openid = "o-busy" });
        (await MessageAsync("queued"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat -1");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await DispatchAsync();

        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-busy");
        _weChat.Accepted.Should().ContainSingle();
    }
}
