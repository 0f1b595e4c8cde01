using System.Text.Json.Nodes;
using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Channels;

/// <summary>
/// Aliyun and Tencent Cloud SMS: their signatures reproduce the worked examples of the providers' own documentation,
/// and each adapter, registered as the server registers it, sends the approved template to a loopback server that
/// checks the request and answers as the provider does; error codes become retry, suppress or fail.
/// </summary>
public sealed class ChineseSmsChannelTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void The_Aliyun_signature_reproduces_the_SendSms_example_of_Aliyuns_documentation()
    {
        // help.aliyun.com/document_detail/56189 (SMS "HTTP 协议及签名"): GET, AccessKeySecret testSecret.
        var parameters = new Dictionary<string, string>
        {
            ["AccessKeyId"] = "testId", ["Action"] = "SendSms", ["Format"] = "XML", ["OutId"] = "123", ["PhoneNumbers"] = "15300000001",
            ["RegionId"] = "cn-hangzhou", ["SignName"] = "阿里云短信测试专用", ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = "45e25e9b-0a6f-4070-8c85-2956eda1b466", ["SignatureVersion"] = "1.0", ["TemplateCode"] = "SMS_71390007",
            ["TemplateParam"] = """{"customer":"test"}""", ["Timestamp"] = "2017-07-12T02:42:19Z", ["Version"] = "2017-05-25",
        };

        AliyunSmsChannel.Sign("GET", parameters, "testSecret").Should().Be("zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }

    [Test]
    public void The_Aliyun_signature_reproduces_the_RPC_signature_example_of_Aliyuns_documentation()
    {
        // The RPC signature mechanism page's DescribeRegions example, AccessKeySecret testsecret.
        var parameters = new Dictionary<string, string>
        {
            ["Format"] = "XML", ["AccessKeyId"] = "testid", ["Action"] = "DescribeRegions", ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", ["SignatureVersion"] = "1.0", ["Version"] = "2014-05-26",
            ["Timestamp"] = "2016-02-23T12:46:24Z",
        };

        AliyunSmsChannel.Sign("GET", parameters, "testsecret").Should().Be("OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    [Test]
    public void The_Tencent_signature_reproduces_the_TC3_example_of_Tencent_Clouds_documentation()
    {
        // cloud.tencent.com/document/api/213/30654 ("签名方法 v3"): CVM DescribeInstances at 1551113065, keys as the page prints them.
        var authorization = TencentSmsChannel.Authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******", "cvm",
            "cvm.tencentcloudapi.com", """{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}""", 1551113065);

        authorization.Should().Be("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, " +
            "SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
    }

    [Test]
    public async Task Aliyun_gets_the_template_code_its_parameters_as_json_the_number_and_the_sign_name_signed()
    {
        await using var aliyun = await FakeChineseSms.StartAsync(SmsProviders.Aliyun);
        using var services = Channels(aliyun);

        var outcome = await services.GetRequiredKeyedService<IChannel>("sms").SendAsync(Message("+8613800138000"), CancellationToken.None);

        var request = aliyun.Accepted.Should().ContainSingle().Subject;
        outcome.Should().Be(new SendOutcome.Sent(request["ProviderId"]));
        request["SignatureValid"].Should().Be("True");
        request["Action"].Should().Be("SendSms");
        request["Version"].Should().Be("2017-05-25");
        request["TemplateCode"].Should().Be("SMS_100000102");
        JsonNode.Parse(request["TemplateParam"])!.AsObject().Select(p => (p.Key, p.Value!.GetValue<string>()))
            .Should().Equal(("code", "CART10"), ("value", "¥10.00"));
        request["PhoneNumbers"].Should().Be("8613800138000", "Aliyun takes mainland numbers as 86 and the number");
        request["SignName"].Should().Be(FakeChineseSms.SignName);
        request["Timestamp"].Should().Be("2026-06-01T12:00:00Z");
        request["OutId"].Should().Be("42");
    }

    [Test]
    public async Task Tencent_gets_the_template_id_its_parameters_in_order_the_number_and_the_sign_name_signed()
    {
        await using var tencent = await FakeChineseSms.StartAsync(SmsProviders.Tencent);
        using var services = Channels(tencent);

        var outcome = await services.GetRequiredKeyedService<IChannel>("sms").SendAsync(Message("+8613800138000"), CancellationToken.None);

        var request = tencent.Accepted.Should().ContainSingle().Subject;
        outcome.Should().Be(new SendOutcome.Sent(request["ProviderId"]));
        request["SignatureValid"].Should().Be("True");
        request["Action"].Should().Be("SendSms");
        request["Version"].Should().Be("2021-01-11");
        request["Region"].Should().Be("ap-guangzhou");
        request["ContentType"].Should().Be("application/json; charset=utf-8");
        request["TemplateId"].Should().Be("1000102");
        JsonNode.Parse(request["TemplateParamSet"])!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal("CART10", "¥10.00");
        request["Phone"].Should().Be("+8613800138000");
        request["SmsSdkAppId"].Should().Be("1400006666");
        request["SignName"].Should().Be(FakeChineseSms.SignName);
    }

    [TestCase(SmsProviders.Aliyun, "isv.BUSINESS_LIMIT_CONTROL", "retry")]
    [TestCase(SmsProviders.Aliyun, "Throttling.User", "retry")]
    [TestCase(SmsProviders.Aliyun, "isv.AMOUNT_NOT_ENOUGH", "retry")]
    [TestCase(SmsProviders.Aliyun, "InvalidAccessKeyId.NotFound", "retry")]
    [TestCase(SmsProviders.Aliyun, "isv.MOBILE_NUMBER_ILLEGAL", "fail")]
    [TestCase(SmsProviders.Aliyun, "isv.SMS_TEMPLATE_ILLEGAL", "fail")]
    [TestCase(SmsProviders.Tencent, "LimitExceeded.PhoneNumberDailyLimit", "retry")]
    [TestCase(SmsProviders.Tencent, "RequestLimitExceeded", "retry")]
    [TestCase(SmsProviders.Tencent, "FailedOperation.InsufficientBalanceInSmsPackage", "retry")]
    [TestCase(SmsProviders.Tencent, "FailedOperation.PhoneNumberInBlacklist", "suppress")]
    [TestCase(SmsProviders.Tencent, "InvalidParameterValue.IncorrectPhoneNumber", "fail")]
    [TestCase(SmsProviders.Tencent, "FailedOperation.TemplateIncorrectOrUnapproved", "fail")]
    public async Task A_provider_error_code_is_retried_suppressed_or_failed(string provider, string code, string expected)
    {
        await using var fake = await FakeChineseSms.StartAsync(provider);
        fake.Answers[provider == SmsProviders.Aliyun ? "8613900000000" : "+8613900000000"] = code;
        using var services = Channels(fake);

        var outcome = await services.GetRequiredKeyedService<IChannel>("sms").SendAsync(Message("+8613900000000"), CancellationToken.None);

        var kind = outcome switch
        {
            SendOutcome.Retry => "retry",
            SendOutcome.Failed { SuppressRecipient: true } => "suppress",
            SendOutcome.Failed => "fail",
            _ => "sent",
        };
        kind.Should().Be(expected, $"{code} answered {outcome}");
        outcome.ToString().Should().Contain(code);
    }

    [TestCase(SmsProviders.Aliyun)]
    [TestCase(SmsProviders.Tencent)]
    public async Task A_message_whose_template_names_no_code_for_the_provider_fails_naming_its_file(string provider)
    {
        await using var fake = await FakeChineseSms.StartAsync(provider);
        using var services = Channels(fake);
        var message = Message("+8613800138000");
        message = message with { Content = message.Content with { ProviderTemplate = ProviderSmsTemplate.None } };

        var outcome = await services.GetRequiredKeyedService<IChannel>("sms").SendAsync(message, CancellationToken.None);

        outcome.Should().BeOfType<SendOutcome.Failed>().Which.Reason.Should().Be($"templates/cart-recovery/coupon.sms.zh-CN.liquid names no {provider}_template: " +
            (provider == SmsProviders.Aliyun ? "Aliyun" : "Tencent Cloud") + " sends only templates it approved");
        fake.Requests.Should().BeEmpty();
    }

    [TestCase(SmsProviders.Aliyun, "Channels:AliyunSms:AccessKeySecret", "Channels:AliyunSms:AccessKeySecret is required when Channels:Sms:Provider is 'aliyun'.")]
    [TestCase(SmsProviders.Tencent, "Channels:TencentSms:SdkAppId", "Channels:TencentSms:SdkAppId must be the SMS application's number such as 1400006666, not ''.")]
    [TestCase(SmsProviders.Tencent, "Channels:TencentSms:SecretKey", "Channels:TencentSms:SecretKey is required when Channels:Sms:Provider is 'tencent'.")]
    public async Task A_missing_credential_is_refused_naming_its_key(string provider, string key, string expected)
    {
        await using var fake = await FakeChineseSms.StartAsync(provider);
        var settings = fake.Settings();
        settings.Remove(key);
        using var services = Channels(settings);

        var resolve = () => services.GetRequiredKeyedService<IChannel>("sms");

        resolve.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Be(expected);
    }

    private static ServiceProvider Channels(FakeChineseSms fake) => Channels(fake.Settings());

    private static ServiceProvider Channels(Dictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton<TimeProvider>(new FakeTimeProvider(Now))
            .AddShippedChannels(configuration).BuildServiceProvider();
    }

    private static OutgoingMessage Message(string phone) => new(42, "cart-recovery:1:coupon", "sms", "li", phone, "Li",
        new RenderedMessage(null, null, "【测试小店】您的购物车还在等您 回T退订", "templates/cart-recovery/coupon.sms.zh-CN.liquid", "zh-CN")
        {
            ProviderTemplate = new ProviderSmsTemplate(new Dictionary<string, string> { ["aliyun"] = "SMS_100000102", ["tencent"] = "1000102" },
                [KeyValuePair.Create("code", "CART10"), KeyValuePair.Create("value", "¥10.00")]),
        },
        "https://automation.example/u/x", []);
}
