using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Messages, suppressions, unsubscribe links and Twilio's delivery reports through the real HTTP pipeline.</summary>
[NonParallelizable]
public sealed class MessagingApiTests
{
    private const string CallbackUrl = "https://shop.example/twilio/status";
    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private FakeTwilio _twilio = null!;
    private AutomationFactory _factory = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero));
        _twilio = await FakeTwilio.StartAsync();
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Channels:Sms:AccountSid"] = "AC123", ["Channels:Sms:AuthToken"] = "secret", ["Channels:Sms:From"] = "+15005550006",
            ["Channels:Sms:BaseUrl"] = _twilio.Url, ["Channels:Sms:StatusCallbackUrl"] = CallbackUrl,
            ["Guardrails:QuietHours"] = "", ["Messaging:PublicUrl"] = "https://shop.example",
        }).WithShippedJourneys();
        _client = _factory.CreateAuthorizedClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _twilio.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Bo's cart-recovery coupon SMS, sent to the fake Twilio; returns its Twilio sid.</summary>
    private async Task<string> SendCouponSms()
    {
        (await _client.PostAsJsonAsync("/v1/identify", new { userId = "bo", traits = new { phone = "+14155550123", email = "bo@example.com" } })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/v1/track", new { userId = "bo", @event = "Product Added", properties = new { product_id = "tea", price = 5 } })).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromHours(24));
        await _factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        while (await _factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
        var messages = JsonNode.Parse(await _client.GetStringAsync("/v1/messages?status=sent"))!.AsArray();
        return messages.Single(m => m!["channel"]!.GetValue<string>() == "sms")!["providerId"]!.GetValue<string>();
    }

    /// <summary>Signs a status report as Twilio does, with the auth token the test server is configured with by default.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Twilio's request signature is HMAC-SHA1.")]
    private static string Sign(string url, IDictionary<string, string> form, string authToken = "secret")
    {
        var data = new StringBuilder(url);
        foreach (var (k, v) in form.OrderBy(p => p.Key, StringComparer.Ordinal)) data.Append(k).Append(v);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    private async Task<HttpResponseMessage> Report(IDictionary<string, string> form, string signature)
    {
        using var anonymous = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/status") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", signature);
        return await anonymous.SendAsync(request);
    }

    [Test]
    public async Task A_signed_delivery_report_marks_the_sms_delivered_and_a_forged_one_is_refused()
    {
        var sid = await SendCouponSms();
        var form = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = "delivered", ["AccountSid"] = "AC123" };

        (await Report(form, "forged")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Report(form, Sign(CallbackUrl, form))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var delivered = JsonNode.Parse(await _client.GetStringAsync("/v1/messages?status=delivered"))!.AsArray();
        delivered.Should().ContainSingle().Which!["providerId"]!.GetValue<string>().Should().Be(sid);
    }

    [Test]
    public async Task An_undelivered_report_of_a_stop_reply_suppresses_the_number()
    {
        var sid = await SendCouponSms();
        var form = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = "undelivered", ["ErrorCode"] = "21610" };
        (await Report(form, Sign(CallbackUrl, form))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var failed = JsonNode.Parse(await _client.GetStringAsync("/v1/messages?status=failed"))!.AsArray();
        failed.Should().ContainSingle().Which!["lastError"]!.GetValue<string>().Should().Be("Twilio undelivered 21610");
        (await _client.DeleteAsync("/v1/suppressions/sms/%2B14155550123")).StatusCode.Should().Be(HttpStatusCode.NoContent, "the number was suppressed");
    }

    [Test]
    public async Task A_status_report_that_is_not_a_form_is_a_400_naming_the_body()
    {
        using var anonymous = _factory.CreateClient();
        var empty = await anonymous.PostAsync("/twilio/status", null);
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await empty.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"body\"");
        var json = await anonymous.PostAsJsonAsync("/twilio/status", new { MessageSid = "SM1" });
        json.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Without_twilio_configured_the_status_route_is_404_even_for_a_report_signed_with_an_empty_key()
    {
        await using var unconfigured = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string> { ["Messaging:PublicUrl"] = "https://shop.example" });
        using var anonymous = unconfigured.CreateClient();
        var form = new Dictionary<string, string> { ["MessageSid"] = "SM1", ["MessageStatus"] = "undelivered", ["ErrorCode"] = "21610" };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/status") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Sign("http://localhost/twilio/status", form, authToken: ""));
        (await anonymous.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Without_a_status_callback_url_twilio_is_told_the_public_url_of_the_status_route()
    {
        await using var factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Channels:Sms:AccountSid"] = "AC123", ["Channels:Sms:AuthToken"] = "secret", ["Channels:Sms:From"] = "+15005550006",
            ["Channels:Sms:BaseUrl"] = _twilio.Url, ["Guardrails:QuietHours"] = "", ["Messaging:PublicUrl"] = "https://mail.shop.example/",
        }).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/identify", new { userId = "cy", traits = new { phone = "+14155550177" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "cy", @event = "Product Added", properties = new { product_id = "tea", price = 5 } })).EnsureSuccessStatusCode();
        _clock.Advance(TimeSpan.FromHours(24));
        await factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        while (await factory.Services.GetRequiredService<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }

        _twilio.Requests.Should().ContainSingle(r => r["To"] == "+14155550177").Which["StatusCallback"].Should().Be("https://mail.shop.example/twilio/status");
    }

    [Test]
    public async Task The_unsubscribe_link_of_an_email_works_without_login()
    {
        var links = _factory.Services.GetRequiredService<UnsubscribeLinks>();
        var url = links.UrlFor("email", "bo@example.com");
        url.Should().StartWith("https://shop.example/u/");
        var path = new Uri(url).AbsolutePath;
        using var anonymous = _factory.CreateClient();

        var page = await anonymous.GetAsync(path);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).Should().Contain("bo@example.com").And.Contain("<form method=\"post\">");

        // RFC 8058 one-click: the mail client posts List-Unsubscribe=One-Click.
        var oneClick = await anonymous.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        oneClick.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.DeleteAsync("/v1/suppressions/email/bo@example.com")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await anonymous.GetAsync(path[..^3] + "xyz")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_unsubscribe_page_speaks_the_customers_language()
    {
        var links = _factory.Services.GetRequiredService<UnsubscribeLinks>();
        using var anonymous = _factory.CreateClient();

        var chinese = await anonymous.GetStringAsync(new Uri(links.UrlFor("sms", "+8613800138000", "zh-CN")).AbsolutePath);
        chinese.Should().Contain("<html lang=\"zh-CN\">").And.Contain("不再向 <strong>+8613800138000</strong> 发送营销短信").And.Contain(">退订</button>");
        var done = await anonymous.PostAsync(new Uri(links.UrlFor("sms", "+8613800138000", "zh-CN")).AbsolutePath, new FormUrlEncodedContent([]));
        (await done.Content.ReadAsStringAsync()).Should().Contain("将不再收到营销短信");

        // No locale in the link: the browser's language, then the default.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(links.UrlFor("email", "li@example.com")).AbsolutePath);
        request.Headers.AcceptLanguage.ParseAdd("zh-CN,zh;q=0.9,en;q=0.5");
        (await (await anonymous.SendAsync(request)).Content.ReadAsStringAsync()).Should().Contain("营销邮件");
        (await anonymous.GetStringAsync(new Uri(links.UrlFor("email", "li@example.com")).AbsolutePath)).Should().Contain("Stop marketing emails to");

        using var hostile = new HttpRequestMessage(HttpMethod.Get, new Uri(links.UrlFor("email", "li@example.com")).AbsolutePath);
        hostile.Headers.TryAddWithoutValidation("Accept-Language", "../../../../etc/passwd");
        (await (await anonymous.SendAsync(hostile)).Content.ReadAsStringAsync()).Should().Contain("Stop marketing emails to");
    }

    [Test]
    public async Task Support_staff_suppress_and_lift_and_bad_requests_name_the_field()
    {
        (await _client.PostAsJsonAsync("/v1/suppressions", new { channel = "email", address = "c@example.com", reason = "asked by phone" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.DeleteAsync("/v1/suppressions/email/c@example.com")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _client.DeleteAsync("/v1/suppressions/email/c@example.com")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var bad = await _client.PostAsJsonAsync("/v1/suppressions", new { channel = "email" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("\"field\":\"address\"");
        (await _client.GetAsync("/v1/messages?status=lost")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

/// <summary><c>POST /v1/journeys/{name}/preview</c>: what each step would send a real customer.</summary>
public sealed class JourneyPreviewTests
{
    [Test]
    public async Task Each_send_step_is_rendered_for_the_customer_in_their_locale()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture))).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/identify", new { userId = "li", traits = new { email = "li@example.com", firstName = "丽", locale = "zh-CN", phone = "+8613800138000" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "li", @event = "Product Added", properties = new { product_id = "tea", name = "龙井", price = 88 } })).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/v1/journeys/cart-recovery/preview", new { customerId = "li" });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var previews = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        previews.Select(p => p!["step"]!.GetValue<string>()).Should().Equal("reminder", "coupon");
        previews[0]!["subject"]!.GetValue<string>().Should().Be("您的购物车里还有 1 件商品");
        previews[0]!["html"]!.GetValue<string>().Should().Contain("龙井");
        previews[0]!["templateFile"]!.GetValue<string>().Should().Be("templates/cart-recovery/reminder.email.zh-CN.liquid");
        previews[1]!["text"]!.GetValue<string>().Should().Contain("(cart-recovery code)", "a preview issues no code: it names the campaign");

        (await client.PostAsJsonAsync("/v1/journeys/nope/preview", new { customerId = "li" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync("/v1/journeys/cart-recovery/preview", new { customerId = "nobody" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync("/v1/journeys/cart-recovery/preview", new { })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

/// <summary>The whole path a shopper sees: an email through real SMTP, and the unsubscribe link in it, clicked.</summary>
[NonParallelizable]
public sealed class UnsubscribeEndToEndTests
{
    [Test]
    public async Task The_link_in_a_received_email_unsubscribes_and_the_next_marketing_email_is_suppressed()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z", CultureInfo.InvariantCulture));
        await using var factory = new AutomationFactory(db, clock, settings: new Dictionary<string, string>
        {
            ["Channels:Email:Host"] = "127.0.0.1", ["Channels:Email:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Channels:Email:Security"] = "None", ["Channels:Email:From"] = "shop@example.com",
            ["Guardrails:QuietHours"] = "", ["Guardrails:PerDay"] = "0", ["Guardrails:PerWeek"] = "0",
        }).WithShippedJourneys();
        using var client = factory.CreateAuthorizedClient();
        var dispatcher = factory.Services.GetRequiredService<OutboxDispatcher>();

        (await client.PostAsJsonAsync("/v1/identify", new { userId = "ann", traits = new { email = "ann@example.com", firstName = "Ann" } })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "1", total = 20 } })).EnsureSuccessStatusCode();
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        var thankYou = smtp.Received().Should().ContainSingle().Subject;
        thankYou.Subject.Should().Be("Thank you for your first order, Ann!");
        var link = new Uri(thankYou.Headers["List-Unsubscribe"]!.Trim('<', '>'));
        using (var anonymous = factory.CreateClient())
            (await anonymous.PostAsync(link.PathAndQuery, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]))).StatusCode.Should().Be(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromDays(3));
        await factory.Services.GetRequiredService<JourneyScheduler>().TickAsync(CancellationToken.None);
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        smtp.Received().Should().ContainSingle("the guide went nowhere");
        var guide = JsonNode.Parse(await client.GetStringAsync("/v1/messages?status=suppressed"))!.AsArray().Should().ContainSingle().Subject!;
        guide["step"]!.GetValue<string>().Should().Be("guide");
    }
}
