using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Automation.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Automation.Tests.Support;

/// <summary>
/// A real HTTP server on loopback speaking Aliyun's SendSms (RPC, form POST) or Tencent Cloud's SendSms (JSON, TC3),
/// as each documents it. It checks every request's signature with the secret it was given and answers as the provider
/// does: Aliyun <c>{"Code":"OK","BizId":…}</c>, Tencent <c>{"Response":{"SendStatusSet":[{"Code":"Ok","SerialNo":…}]}}</c>.
/// A number in <see cref="Answers"/> gets that error code instead; <see cref="Throttling"/> refuses everything with the
/// provider's frequency-control code for a while.
/// </summary>
public sealed class FakeChineseSms : IAsyncDisposable
{
    public const string Secret = "fake-provider-secret";
    public const string SignName = "测试小店";

    private readonly WebApplication _app;

    private FakeChineseSms(WebApplication app, string provider, string url)
    {
        _app = app;
        Provider = provider;
        Url = url;
    }

    public string Provider { get; }
    public string Url { get; }

    /// <summary>Every request, its fields flattened (Aliyun's form; Tencent's headers and JSON body), with <c>SignatureValid</c>.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    /// <summary>The requests answered OK, each with the provider id it got (<c>ProviderId</c>).</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Accepted { get; } = new();

    /// <summary>Phone number (as the provider receives it) → the error code to answer for it.</summary>
    public ConcurrentDictionary<string, string> Answers { get; } = new();

    public Func<bool>? Throttling { get; set; }

    /// <summary>The settings that point the server's SMS channel at this fake.</summary>
    public Dictionary<string, string> Settings(string receiptToken = "receipt-token-0123456789") => Provider == SmsProviders.Aliyun
        ? new()
        {
            ["Channels:Sms:Provider"] = "aliyun", ["Channels:AliyunSms:AccessKeyId"] = "LTAI-test", ["Channels:AliyunSms:AccessKeySecret"] = Secret,
            ["Channels:AliyunSms:BaseUrl"] = Url, ["Channels:AliyunSms:CallbackToken"] = receiptToken, ["Templates:SignName"] = SignName,
        }
        : new()
        {
            ["Channels:Sms:Provider"] = "tencent", ["Channels:TencentSms:SecretId"] = "AKID-test", ["Channels:TencentSms:SecretKey"] = Secret,
            ["Channels:TencentSms:SdkAppId"] = "1400006666", ["Channels:TencentSms:BaseUrl"] = Url, ["Channels:TencentSms:CallbackToken"] = receiptToken,
            ["Templates:SignName"] = SignName,
        };

    public static async Task<FakeChineseSms> StartAsync(string provider)
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var fake = new FakeChineseSms(app, provider, url);
        if (provider == SmsProviders.Aliyun) app.MapPost("/", fake.AliyunAsync);
        else app.MapPost("/", fake.TencentAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task<IResult> AliyunAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        fields["SignatureValid"] = (AliyunSmsChannel.Sign("POST", fields, Secret) == fields.GetValueOrDefault("Signature")).ToString();
        Requests.Enqueue(fields);
        if (fields["SignatureValid"] != "True")
            return Json(new { Code = "SignatureDoesNotMatch", Message = "Specified signature is not matched with our calculation." }, statusCode: 400);
        if (Throttling?.Invoke() == true)
            return Json(new { Code = "isv.BUSINESS_LIMIT_CONTROL", Message = "触发分钟级流控Permits:1", RequestId = Guid.NewGuid().ToString() });
        if (Answers.TryGetValue(fields["PhoneNumbers"], out var code))
            return Json(new { Code = code, Message = code, RequestId = Guid.NewGuid().ToString() });
        var bizId = $"{Random.Shared.NextInt64(100_000_000_000_000, 999_999_999_999_999)}^0";
        fields["ProviderId"] = bizId;
        Accepted.Enqueue(fields);
        return Json(new { Code = "OK", Message = "OK", BizId = bizId, RequestId = Guid.NewGuid().ToString() });
    }

    private async Task<IResult> TencentAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync();
        var body = JsonNode.Parse(payload)!.AsObject();
        var fields = new Dictionary<string, string>
        {
            ["Action"] = request.Headers["X-TC-Action"].ToString(),
            ["Version"] = request.Headers["X-TC-Version"].ToString(),
            ["Region"] = request.Headers["X-TC-Region"].ToString(),
            ["ContentType"] = request.ContentType ?? "",
            ["Phone"] = body["PhoneNumberSet"]![0]!.GetValue<string>(),
            ["SmsSdkAppId"] = body["SmsSdkAppId"]!.GetValue<string>(),
            ["SignName"] = body["SignName"]!.GetValue<string>(),
            ["TemplateId"] = body["TemplateId"]!.GetValue<string>(),
            ["TemplateParamSet"] = body["TemplateParamSet"]!.ToJsonString(),
        };
        var timestamp = long.Parse(request.Headers["X-TC-Timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var expected = TencentSmsChannel.Authorization("AKID-test", Secret, "sms", request.Host.Value!, payload, timestamp);
        fields["SignatureValid"] = (expected == request.Headers.Authorization.ToString()).ToString();
        Requests.Enqueue(fields);
        if (fields["SignatureValid"] != "True") return Error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
        if (Throttling?.Invoke() == true) return Status("LimitExceeded.PhoneNumberThirtySecondLimit", fields["Phone"], "");
        if (Answers.TryGetValue(fields["Phone"], out var code)) return Status(code, fields["Phone"], "");
        var serial = $"5000:{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}";
        fields["ProviderId"] = serial;
        Accepted.Enqueue(fields);
        return Status("Ok", fields["Phone"], serial);
    }

    private static IResult Error(string code, string message) =>
        Json(new { Response = new { Error = new { Code = code, Message = message }, RequestId = Guid.NewGuid().ToString() } });

    private static IResult Status(string code, string phone, string serial) => Json(new
    {
        Response = new
        {
            SendStatusSet = new[] { new { SerialNo = serial, PhoneNumber = phone, Fee = code == "Ok" ? 1 : 0, Code = code, Message = code == "Ok" ? "send success" : code, IsoCode = "CN" } },
            RequestId = Guid.NewGuid().ToString(),
        },
    });

    /// <summary>As the providers spell their fields: PascalCase, not ASP.NET Core's camelCase.</summary>
    private static IResult Json(object value, int statusCode = 200) =>
        Results.Json(value, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = null }, statusCode: statusCode);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
