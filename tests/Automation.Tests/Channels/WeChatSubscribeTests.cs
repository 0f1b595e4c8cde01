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
public sealed class WeChatSubscribeTests(string provider) : WeChatJourneyFixture(provider)
{
    protected override string Journey => "wechat-subscribe-drill";

    protected override string Template => """
            ---
            template_id: 40m-ZKjA3YQqhCUlw-e8T1Ng0SI1PmCfI1qHXxJMNzM
            kind: subscribe
            url: https://shop.example/orders/{{ event.properties.order_id }}
            ---
            thing1: {{ event.properties.product }}
            character_string2: {{ event.properties.order_id }}
            phrase3: 已发货
            """;

    private Task ShipAsync(string userId, string openId, string product = "乌龙茶") =>
        ShipAsync(userId, new { wechat_openid = openId }, new { order_id = $"{userId}-1", product });

    [Test]
    public async Task A_journey_step_sends_a_subscribe_message_to_bizsend_with_its_page_and_plain_values()
    {
        await ShipAsync("mei", "o-mei");

        var sent = WeChatServer.Subscribed.Should().ContainSingle().Subject;
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
        WeChatServer.Accepted.Should().BeEmpty("nothing went to template/send");
        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-mei");
        WeChatServer.TokenFetches.Should().Be(1);
    }

    [Test]
    public async Task A_customer_who_refused_the_subscription_43101_is_suppressed_on_wechat()
    {
        await ShipAsync("gone", FakeWeChat.Refused);

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 43101");
        (await Client.DeleteAsync($"/v1/suppressions/wechat/{FakeWeChat.Refused}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the openid was suppressed");
    }

    [Test]
    public async Task A_token_WeChat_refuses_40001_is_refreshed_once_and_the_subscribe_message_sent_with_the_new_one()
    {
        await ShipAsync("first", "o-first");
        WeChatServer.RetireToken();

        await ShipAsync("second", "o-second");

        WeChatServer.TokenFetches.Should().Be(2);
        WeChatServer.Sends.Select(s => s.Token).Should().Equal("token-1", "token-1", "token-2");
        WeChatServer.Subscribed.Select(a => a["touser"]!.GetValue<string>()).Should().Equal("o-first", "o-second");
    }

    [Test]
    public async Task The_per_minute_limit_45011_is_retried_with_backoff_and_then_sent_once()
    {
        WeChatServer.BusyOnce["o-busy"] = true;
        await ShipAsync("busy", "o-busy");
        (await MessageAsync("queued"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 45011");

        Clock.Advance(TimeSpan.FromMinutes(1));
        await DispatchAsync();

        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-busy");
        WeChatServer.Subscribed.Should().ContainSingle();
    }

    [Test]
    public async Task A_value_over_the_fields_limit_fails_its_message_naming_file_and_line_and_is_never_posted()
    {
        await ShipAsync("long", "o-long", product: "明前特级西湖龙井茶新品礼盒装二百五十克两罐装");

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should()
            .Contain($"{TemplateFile(Factory.ContentRoot)}:6").And.Contain("field 'thing1' is a thing: at most 20 characters");
        WeChatServer.Sends.Should().BeEmpty();
    }
}
