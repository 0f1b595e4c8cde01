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
public sealed class WeChatChannelTests(string provider) : WeChatJourneyFixture(provider)
{
    protected override string Journey => "wechat-drill";

    protected override string Template => """
            ---
            template_id: ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY
            url: https://shop.example/orders/{{ event.properties.order_id }}
            ---
            first: 您好，{{ customer.first_name }}，您的订单已发货
            keyword1: {{ event.properties.order_id }}
            remark: 感谢惠顾
            """;

    private Task ShipAsync(string userId, object traits) => ShipAsync(userId, traits, new { order_id = $"{userId}-1" });

    [Test]
    public async Task A_journey_step_sends_its_template_to_the_customers_openid_with_one_token_fetch()
    {
        await ShipAsync("mei", new { firstName = "美", wechat_openid = "o-mei" });

        var sent = WeChatServer.Accepted.Should().ContainSingle().Subject;
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
        WeChatServer.TokenFetches.Should().Be(1);
        (await MessageAsync("sent"))["providerId"]!.GetValue<string>().Should().Be("200228333");

        await ShipAsync("lan", new { firstName = "兰", wechat_openid = "o-lan" });
        WeChatServer.Accepted.Should().HaveCount(2);
        WeChatServer.TokenFetches.Should().Be(1, "the token is cached until shortly before it expires");
    }

    [Test]
    public async Task A_customer_without_an_openid_is_skipped_with_the_trait_named()
    {
        await ShipAsync("noor", new { firstName = "Noor" });

        WeChatServer.Sends.Should().BeEmpty();
        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().Be("the customer has no WeChat openid (trait wechat_openid)");
    }

    [Test]
    public async Task A_customer_who_unfollowed_43004_is_suppressed()
    {
        await ShipAsync("gone", new { firstName = "Gone", wechat_openid = FakeWeChat.Unfollowed });

        (await MessageAsync("failed"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat 43004");
        (await Client.DeleteAsync($"/v1/suppressions/wechat/{FakeWeChat.Unfollowed}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the openid was suppressed");
    }

    [Test]
    public async Task A_token_WeChat_refuses_40001_is_refreshed_and_the_send_tried_once_more()
    {
        await ShipAsync("first", new { firstName = "First", wechat_openid = "o-first" });
        WeChatServer.RetireToken();

        await ShipAsync("second", new { firstName = "Second", wechat_openid = "o-second" });

        WeChatServer.TokenFetches.Should().Be(2);
        WeChatServer.Sends.Select(s => s.Token).Should().Equal("token-1", "token-1", "token-2");
        WeChatServer.Accepted.Select(a => a["touser"]!.GetValue<string>()).Should().Equal("o-first", "o-second");
    }

    [Test]
    public async Task WeChat_busy_minus_1_is_retried_later_and_then_sent()
    {
        WeChatServer.BusyOnce["o-busy"] = true;
        await ShipAsync("busy", new { firstName = "Busy", wechat_openid = "o-busy" });
        (await MessageAsync("queued"))["lastError"]!.GetValue<string>().Should().StartWith("WeChat -1");

        Clock.Advance(TimeSpan.FromMinutes(1));
        await DispatchAsync();

        (await MessageAsync("sent"))["recipient"]!.GetValue<string>().Should().Be("o-busy");
        WeChatServer.Accepted.Should().ContainSingle();
    }
}
