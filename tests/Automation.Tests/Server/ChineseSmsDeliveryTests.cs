using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Storage;
using Automation.Tests.Faults;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>
/// A journey step sends on <c>sms</c> through Aliyun or Tencent Cloud (a loopback server speaking their API): the
/// customer's national number is normalised, the approved template goes out with its parameters, and the provider's
/// delivery receipt — pushed to this server with its token — marks the message delivered or failed. A receipt
/// without the token is refused. On both databases.
/// </summary>
[TestFixture(StorageOptions.Sqlite, SmsProviders.Aliyun)]
[TestFixture(StorageOptions.Sqlite, SmsProviders.Tencent)]
[TestFixture(StorageOptions.Postgres, SmsProviders.Aliyun)]
[TestFixture(StorageOptions.Postgres, SmsProviders.Tencent)]
public sealed class ChineseSmsDeliveryTests(string database, string provider)
{
    private const string Token = "receipt-token-0123456789";

    [Test]
    public async Task A_journey_step_sends_the_approved_template_and_the_receipt_marks_it_delivered_or_failed()
    {
        await using var db = await TestDatabase.CreateAsync(database);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 4, 0, 0, TimeSpan.Zero));
        await using var sms = await FakeChineseSms.StartAsync(provider);
        var settings = sms.Settings(Token);
        settings["Messaging:Dispatch"] = "true";
        settings["Messaging:PollMilliseconds"] = "20";
        settings["Messaging:DefaultRegion"] = "CN";
        settings["Guardrails:PerDay"] = "0";
        settings["Guardrails:PerWeek"] = "0";
        settings["Guardrails:QuietHours"] = "";
        await using var factory = new AutomationFactory(db, clock, settings: settings);
        FaultDrill.Write(factory.ContentRoot, "sms");
        File.WriteAllText(FaultDrill.TemplateFile(factory.ContentRoot, "sms"), """
            ---
            aliyun_template: SMS_100000999
            tencent_template: 1000999
            param.name: {{ customer.first_name }}
            param.shop: {{ shop.sign_name }}
            ---
            【{{ shop.sign_name }}】{{ customer.first_name }}，演练通知。回T退订
            """);
        using var client = factory.CreateAuthorizedClient();

        (await FaultDrill.EnterAsync(client, "li", "小李", "138 0013 8000")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await FaultDrill.EnterAsync(client, "wang", "小王", "13900139000")).StatusCode.Should().Be(HttpStatusCode.OK);
        var messages = await Eventually.Until(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return await db.Storage.ListAsync(null, 10, CancellationToken.None);
        }, m => m.Count == 2 && m.All(x => x.Status == MessageStatus.Sent), TimeSpan.FromSeconds(30), what: "both SMS sent");

        var accepted = sms.Accepted.ToList();
        accepted.Should().HaveCount(2).And.OnlyContain(r => r["SignatureValid"] == "True" && r["SignName"] == FakeChineseSms.SignName);
        var li = accepted.Single(r => (provider == SmsProviders.Aliyun ? r["PhoneNumbers"] : r["Phone"]).EndsWith("13800138000", StringComparison.Ordinal));
        if (provider == SmsProviders.Aliyun)
        {
            li["PhoneNumbers"].Should().Be("8613800138000");
            li["TemplateCode"].Should().Be("SMS_100000999");
            JsonNode.Parse(li["TemplateParam"])!["name"]!.GetValue<string>().Should().Be("小李");
        }
        else
        {
            li["Phone"].Should().Be("+8613800138000");
            li["TemplateId"].Should().Be("1000999");
            JsonNode.Parse(li["TemplateParamSet"])!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("小李", FakeChineseSms.SignName);
        }
        var liMessage = messages.Single(m => m.Recipient == "+8613800138000");
        var wangMessage = messages.Single(m => m.Recipient == "+8613900139000");

        using var anonymous = factory.CreateClient();
        var forged = await anonymous.PostAsync($"{Path}?token=guessed-token-000000", Receipt(liMessage.ProviderId!, "13800138000", delivered: true));
        forged.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await anonymous.PostAsync(Path, Receipt(liMessage.ProviderId!, "13800138000", delivered: true))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await db.Storage.ListAsync(null, 10, CancellationToken.None)).Should().OnlyContain(m => m.Status == MessageStatus.Sent, "a forged receipt changes nothing");

        var delivered = await anonymous.PostAsync($"{Path}?token={Token}", Receipt(liMessage.ProviderId!, "13800138000", delivered: true));
        var failed = await anonymous.PostAsync($"{Path}?token={Token}", Receipt(wangMessage.ProviderId!, "13900139000", delivered: false));

        delivered.StatusCode.Should().Be(HttpStatusCode.OK);
        failed.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = JsonNode.Parse(await delivered.Content.ReadAsStringAsync())!;
        (provider == SmsProviders.Aliyun ? answer["code"] : answer["result"])!.GetValue<int>().Should().Be(0, "the provider's convention for a receipt taken");
        var after = await db.Storage.ListAsync(null, 10, CancellationToken.None);
        after.Single(m => m.Id == liMessage.Id).Status.Should().Be(MessageStatus.Delivered);
        var wang = after.Single(m => m.Id == wangMessage.Id);
        wang.Status.Should().Be(MessageStatus.Failed);
        wang.LastError.Should().Be(provider == SmsProviders.Aliyun ? "Aliyun MK:0001 用户不存在" : "Tencent Cloud MK:0001 用户不存在");

        var notJson = await anonymous.PostAsync($"{Path}?token={Token}", new StringContent("phone=1", Encoding.UTF8, "application/x-www-form-urlencoded"));
        notJson.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Without_a_receipt_token_the_receipt_route_does_not_exist()
    {
        await using var db = await TestDatabase.CreateAsync(database);
        await using var sms = await FakeChineseSms.StartAsync(provider);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(), settings: sms.Settings(receiptToken: ""));
        using var anonymous = factory.CreateClient();

        (await anonymous.PostAsync($"{Path}?token=", Receipt("1", "13800138000", delivered: true))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private string Path => provider == SmsProviders.Aliyun ? "/aliyun/sms/report" : "/tencent/sms/status";

    /// <summary>A receipt as each provider documents its push: Aliyun's SmsReport, Tencent's status callback.</summary>
    private JsonContent Receipt(string providerId, string mobile, bool delivered) => JsonContent.Create(provider == SmsProviders.Aliyun
        ? new JsonArray(new JsonObject
        {
            ["phone_number"] = mobile, ["send_time"] = "2026-06-01 12:00:01", ["report_time"] = "2026-06-01 12:00:05", ["success"] = delivered,
            ["err_code"] = delivered ? "DELIVERED" : "MK:0001", ["err_msg"] = delivered ? "用户接收成功" : "用户不存在", ["sms_size"] = "1",
            ["biz_id"] = providerId, ["out_id"] = "1",
        })
        : new JsonArray(new JsonObject
        {
            ["user_receive_time"] = "2026-06-01 12:00:05", ["nationcode"] = "86", ["mobile"] = mobile, ["report_status"] = delivered ? "SUCCESS" : "FAIL",
            ["errmsg"] = delivered ? "DELIVRD" : "MK:0001", ["description"] = delivered ? "用户短信送达成功" : "用户不存在", ["sid"] = providerId,
        }));
}
