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
/// WeChat subscribe messages (订阅通知, <c>kind: subscribe</c>) end to end on both databases: a journey step renders the
/// file and the server sends it to <c>/cgi-bin/message/subscribe/bizsend</c> of a loopback server speaking that API.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class WeChatSubscribeTests(string provider)
{
    private const string Journey = "wechat-subscribe-drill";

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

    private static string TemplateFile(string root) => Path.Combine(root, "templates", Journey, "notice.wechat.liquid");

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
        File.WriteAllText(TemplateFile(root), """
            ---
            template_id: 40m-ZKjA3YQqhCUlw-e8T1Ng0SI1PmCfI1qHXxJMNzM
            kind: subscribe
            url: https://shop.example/orders/{{ event.properties.order_id }}
            ---
            thing1: {{ event.properties.product }}
            character_string2: {{ event.properties.order_id }}
            phrase3: 已发货
            """);
    }

    private async Task ShipAsync(string userId, string openId, string product = "乌龙茶")
    {
        (await _client.PostAsJsonAsync("/v1/identify", new { userId, traits = new { wechat_openid = openId } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId, @event = "Order Shipped", properties = new { order_id = $"{userId}-1", product } })).EnsureSuccessStatusCode();
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
    public async Task A_journey_step_sends_a_subscribe_message_to_bizsend_with_its_page_and_plain_values()
    {
        await ShipAsync("mei", "o-mei");

        var sent = _weChat.Subscribed.Should().ContainSingle().Subject;
        sent.ToJsonString().Should().Be(new JsonObject
        {
            ["template_id"] = "40m-ZKjA3YQqhCUlw-e8T1Ng0SI1PmCfI1qHXxJMNzM",
            ["page"] = "https://shop.example/orders/mei-1",
            ["data"] = new JsonObject
            {
                ["thing1"] = new JsonObject { ["value"] = "乌龙茶" },
                ["character_string2"] = new JsonObject { ["value"] = "mei-1" },
                ["phrase3"] = new JsonObject { ["value"] = "已发货" },
            },
            ["touser"] = "o-mei",
        }.ToJsonString(), "bizsend takes no url, color or client_msg_id");
        _weChat.Accepted.Should().BeEmpty("nothing went to template/send");
        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-mei");
        _weChat.TokenFetches.Should().Be(1);
    }

    [Test]
    public async Task A_customer_who_refused_the_subscription_43101_is_suppressed_on_wechat()
    {
        await ShipAsync("gone", FakeWeChat.Refused);

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 43101");
        (await _client.DeleteAsync($"/v1/suppressions/wechat/{FakeWeChat.Refused}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the openid was suppressed");
    }

    [Test]
    public async Task A_token_WeChat_refuses_40001_is_refreshed_once_and_the_subscribe_message_sent_with_the_new_one()
    {
        await ShipAsync("first", "o-first");
        _weChat.RetireToken();

        await ShipAsync("second", "o-second");

        _weChat.TokenFetches.Should().Be(2);
        _weChat.Sends.Select(s => s.Token).Should().Equal("token-1", "token-1", "token-2");
        _weChat.Subscribed.Select(a => a["touser"]!.GetValue<string>()).Should().Equal("o-first", "o-second");
    }

    [Test]
    public async Task The_per_minute_limit_45011_is_retried_with_backoff_and_then_sent_once()
    {
        _weChat.BusyOnce["o-busy"] = true;
        await ShipAsync("busy", "o-busy");
        (await MessageAsync("queued"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 45011");

        _clock.Advance(TimeSpan.FromMinutes(1));
        await DispatchAsync();

        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-busy");
        _weChat.Subscribed.Should().ContainSingle();
    }

    [Test]
    public async Task A_value_over_the_fields_limit_fails_its_message_naming_file_and_line_and_is_never_posted()
    {
        await ShipAsync("long", "o-long", product: "明前特级西湖龙井茶新品礼盒装二百五十克两罐装");

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should()
            .Contain($"{TemplateFile(_factory.ContentRoot)}:6").And.Contain("field 'thing1' is a thing: at most 20 characters");
        _weChat.Sends.Should().BeEmpty();
    }
}
