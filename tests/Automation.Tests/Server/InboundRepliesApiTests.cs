using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Audit;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Messaging.Replies;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Customers' SMS replies from Twilio, Aliyun and Tencent through the real HTTP pipeline, on both databases.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
[NonParallelizable]
public sealed class InboundRepliesApiTests(string provider)
{
    private const string AliyunToken = "aliyun-token-0123456789abcdef";
    private const string TencentToken = "tencent-token-0123456789abcdef";
    private const string Phone = "+8613800138000";
    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private FakeTwilio _twilio = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero));
        _twilio = await FakeTwilio.StartAsync();
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Channels:Sms:AccountSid"] = "AC123", ["Channels:Sms:AuthToken"] = "secret", ["Channels:Sms:From"] = "+15005550006",
            ["Channels:Sms:BaseUrl"] = _twilio.Url, ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
            ["Messaging:PublicUrl"] = "https://shop.example",
            ["Channels:AliyunSms:CallbackToken"] = AliyunToken, ["Channels:TencentSms:CallbackToken"] = TencentToken,
            ["Templates:SignName"] = "茶铺",
        }).WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "mei", traits = new { phone = Phone, email = "mei@example.com" } })).EnsureSuccessStatusCode();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _twilio.DisposeAsync();
        await _db.DisposeAsync();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Twilio's request signature is HMAC-SHA1.")]
    private static string Sign(string url, IDictionary<string, string> form)
    {
        var data = new StringBuilder(url);
        foreach (var (k, v) in form.OrderBy(p => p.Key, StringComparer.Ordinal)) data.Append(k).Append(v);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes("secret"), Encoding.UTF8.GetBytes(data.ToString())));
    }

    private async Task<HttpResponseMessage> TwilioInbound(string sid, string body, string? signature = null, string? optOutType = null)
    {
        var form = new Dictionary<string, string> { ["MessageSid"] = sid, ["From"] = Phone, ["To"] = "+15005550006", ["Body"] = body, ["AccountSid"] = "AC123" };
        if (optOutType is not null) form["OptOutType"] = optOutType;
        using var anonymous = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/inbound") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", signature ?? Sign("https://shop.example/twilio/inbound", form));
        return await anonymous.SendAsync(request);
    }

    private static JsonArray AliyunUplink(long sequence, string content) =>
        [new JsonObject { ["phone_number"] = "13800138000", ["content"] = content, ["sign_name"] = "【茶铺】", ["send_time"] = "2026-05-04 16:00:00", ["dest_code"] = "1", ["sequence_id"] = sequence }];

    private async Task<HttpResponseMessage> Post(string path, object body)
    {
        using var anonymous = _factory.CreateClient();
        return await anonymous.PostAsJsonAsync(path, body);
    }

    private async Task<bool> IsSuppressed() => (await _db.Storage.AreSuppressedAsync([("sms", Phone)], CancellationToken.None))[0];

    private async Task<IReadOnlyList<EventView>> ReplyEvents()
    {
        var customers = _factory.Services.GetRequiredService<ICustomerStore>();
        var mei = (await customers.SearchAsync("mei", 1, CancellationToken.None)).Single();
        return [.. (await customers.EventsOfAsync(mei.Id, 50, CancellationToken.None)).Where(e => e.Name is InboundReplies.OptedOutEvent or InboundReplies.OptedInEvent)];
    }

    private async Task<IReadOnlyList<EventView>> RepliedEvents()
    {
        var customers = _factory.Services.GetRequiredService<ICustomerStore>();
        var mei = (await customers.SearchAsync("mei", 1, CancellationToken.None)).Single();
        return [.. (await customers.EventsOfAsync(mei.Id, 50, CancellationToken.None)).Where(e => e.Name == InboundReplies.RepliedEvent)];
    }

    /// <summary>Mei's cart-recovery journey, a day on: the email reminder and the SMS coupon; returns the statuses by channel.</summary>
    private async Task<Dictionary<string, string>> RunCartRecovery()
    {
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "mei", @event = "Product Added", properties = new { product_id = "tea", price = 5 } })).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromHours(24));
        await _factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        while (await _factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
        var messages = JsonNode.Parse(await _client.GetStringAsync("/v1/messages"))!.AsArray();
        return messages.ToDictionary(m => m!["channel"]!.GetValue<string>(), m => m!["status"]!.GetValue<string>());
    }

    [Test]
    public async Task A_twilio_STOP_suppresses_the_journeys_sms_while_email_still_goes_and_is_answered_with_empty_twiml()
    {
        var response = await TwilioInbound("SM1", "Stop");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
        (await response.Content.ReadAsStringAsync()).Should().EndWith("<Response/>");

        (await IsSuppressed()).Should().BeTrue();
        (await ReplyEvents()).Should().ContainSingle().Which.Name.Should().Be("SMS Opted Out");
        var statuses = await RunCartRecovery();
        statuses["sms"].Should().Be("suppressed");
        statuses["email"].Should().Be("sent");
        _twilio.Requests.Should().BeEmpty();
    }

    [Test]
    public async Task A_twilio_START_lifts_the_STOP_and_the_sms_goes_again()
    {
        (await TwilioInbound("SM1", "STOP")).EnsureSuccessStatusCode();
        (await TwilioInbound("SM2", "start")).EnsureSuccessStatusCode();

        (await IsSuppressed()).Should().BeFalse();
        (await ReplyEvents()).Select(e => e.Name).Should().BeEquivalentTo("SMS Opted Out", "SMS Opted In");
        (await RunCartRecovery())["sms"].Should().Be("sent");
        _twilio.Requests.Should().ContainSingle(r => r["To"] == Phone);
    }

    [Test]
    public async Task A_forged_twilio_reply_is_refused_and_changes_nothing()
    {
        (await TwilioInbound("SM1", "STOP", signature: "forged")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await TwilioInbound("SM1", "STOP", signature: Sign("https://evil.example/twilio/inbound", new Dictionary<string, string>()))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await IsSuppressed()).Should().BeFalse();
        (await ReplyEvents()).Should().BeEmpty();
    }

    [Test]
    public async Task START_lifts_only_a_suppression_that_came_from_STOP_not_one_from_support_or_a_bounce()
    {
        await _db.Storage.SuppressAsync("sms", Phone, "support", _clock.GetUtcNow(), AuditActor.Cli("test"), CancellationToken.None);
        (await TwilioInbound("SM1", "START")).EnsureSuccessStatusCode();
        (await IsSuppressed()).Should().BeTrue("support's suppression outranks the customer's START");
    }

    [Test]
    public async Task An_aliyun_uplink_TD_suppresses_the_bare_mainland_number_once_however_often_it_is_pushed()
    {
        for (var i = 0; i < 2; i++)
        {
            var response = await Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(7001, "TD"));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            answer["code"]!.GetValue<int>().Should().Be(0);
            answer["msg"]!.GetValue<string>().Should().Be("接收成功");
        }
        (await IsSuppressed()).Should().BeTrue();
        var stop = (await ReplyEvents()).Should().ContainSingle().Subject;
        stop.OccurredAt.Should().Be(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero), "send_time is Beijing time");
        JsonNode.Parse(stop.Properties)!["provider"]!.GetValue<string>().Should().Be("aliyun");

        (await Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(7002, "YES"))).EnsureSuccessStatusCode();
        (await IsSuppressed()).Should().BeFalse();
        (await Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(7001, "TD"))).EnsureSuccessStatusCode();
        (await IsSuppressed()).Should().BeFalse("a late second push of the old STOP is the same reply, already applied");
    }

    [Test]
    public async Task A_tencent_reply_退订_suppresses_and_START_lifts_it()
    {
        var response = await Post($"/tencent/sms/replies?token={TencentToken}", new { extend = "", mobile = "13800138000", nationcode = "86", sign = "茶铺", text = "退订", time = 1777881600 });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!.ToJsonString().Should().Be("""{"result":0,"errmsg":"OK"}""");
        (await IsSuppressed()).Should().BeTrue();

        (await Post($"/tencent/sms/replies?token={TencentToken}", new { extend = "", mobile = "13800138000", nationcode = "86", sign = "茶铺", text = "START", time = 1777881700 })).EnsureSuccessStatusCode();
        (await IsSuppressed()).Should().BeFalse();
        (await ReplyEvents()).Should().HaveCount(2);
    }

    [Test]
    public async Task A_callback_with_the_wrong_token_is_refused_and_a_malformed_one_is_a_400_naming_the_field()
    {
        (await Post("/aliyun/sms/replies?token=wrong-token-0123456789abcdef", AliyunUplink(1, "TD"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Post($"/aliyun/sms/replies?token={TencentToken}", AliyunUplink(1, "TD"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Post($"/tencent/sms/replies?token={AliyunToken}", new { mobile = "13800138000", nationcode = "86", text = "TD", time = 1 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await IsSuppressed()).Should().BeFalse();

        var missing = await Post($"/aliyun/sms/replies?token={AliyunToken}", new[] { new { phone_number = "13800138000", content = "TD" } });
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync()).Should().Contain("[0].sequence_id");
        var badTime = await Post($"/tencent/sms/replies?token={TencentToken}", new { mobile = "13800138000", nationcode = "86", text = "TD", time = "soon" });
        (await badTime.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"time\"");
        (await IsSuppressed()).Should().BeFalse();
    }

    [Test]
    public async Task The_same_uplink_pushed_16_times_at_once_is_recorded_once()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(9001, "STOP"))));
        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        (await ReplyEvents()).Should().ContainSingle();

        var reply = new InboundReply("aliyun", "9002", "sms", Phone, "START", null);
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            _db.Storage.RecordReplyAsync(reply, ReplyIntent.OptIn, _clock.GetUtcNow(), CancellationToken.None)));
        claims.Count(fresh => fresh).Should().Be(1);
        (await IsSuppressed()).Should().BeFalse();
    }

    [TestCase("HELP")]
    [TestCase("info")]
    public async Task A_twilio_HELP_is_answered_with_the_shops_help_text_as_twiml_and_changes_nothing(string keyword)
    {
        var response = await TwilioInbound("SM1", keyword);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
        (await response.Content.ReadAsStringAsync()).Should().EndWith(
            "<Response><Message>茶铺: marketing messages. Reply STOP to unsubscribe, START to resubscribe. Msg &amp; data rates may apply.</Message></Response>");
        (await IsSuppressed()).Should().BeFalse();
        (await ReplyEvents()).Should().BeEmpty();
        (await RepliedEvents()).Should().BeEmpty("HELP is a keyword, not a conversation");
    }

    [Test]
    public async Task A_HELP_that_twilio_advanced_opt_out_already_answered_gets_no_second_answer()
    {
        var response = await TwilioInbound("SM1", "AIUTO", optOutType: "HELP");

        (await response.Content.ReadAsStringAsync()).Should().EndWith("<Response/>");
        (await RepliedEvents()).Should().BeEmpty();
    }

    [Test]
    public async Task A_reply_that_is_no_keyword_raises_SMS_Replied_once_however_often_each_provider_delivers_it()
    {
        for (var i = 0; i < 2; i++)
        {
            (await (await TwilioInbound("SM9", "Stop texting me about tea")).Content.ReadAsStringAsync()).Should().EndWith("<Response/>");
            (await Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(8001, "乌龙茶还有货吗"))).EnsureSuccessStatusCode();
            (await Post($"/tencent/sms/replies?token={TencentToken}", new { extend = "", mobile = "13800138000", nationcode = "86", sign = "茶铺", text = "几点发货？", time = 1777881600 })).EnsureSuccessStatusCode();
        }

        var replies = await RepliedEvents();
        replies.Select(e => (JsonNode.Parse(e.Properties)!["provider"]!.GetValue<string>(), JsonNode.Parse(e.Properties)!["text"]!.GetValue<string>()))
            .Should().BeEquivalentTo([("twilio", "Stop texting me about tea"), ("aliyun", "乌龙茶还有货吗"), ("tencent", "几点发货？")]);
        JsonNode.Parse(replies[0].Properties)!["phone"]!.GetValue<string>().Should().Be(Phone);
        (await IsSuppressed()).Should().BeFalse("a conversation is not an opt-out");
        (await ReplyEvents()).Should().BeEmpty();
    }

    [Test]
    public async Task The_same_reply_pushed_16_times_at_once_raises_one_SMS_Replied()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Post($"/aliyun/sms/replies?token={AliyunToken}", AliyunUplink(8101, "请问有优惠吗"))));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        (await RepliedEvents()).Should().ContainSingle();
    }

    [Test]
    public async Task A_reply_callback_without_its_token_is_refused_and_records_nothing()
    {
        (await Post("/aliyun/sms/replies", AliyunUplink(8201, "hello"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Post("/tencent/sms/replies", new { mobile = "13800138000", nationcode = "86", text = "hello", time = 1 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await TwilioInbound("SM8", "hello", signature: "forged")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await RepliedEvents()).Should().BeEmpty();
    }
}
