using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// SMS through Tencent Cloud's SendSms (API version 2021-01-11) over REST, no SDK: a JSON POST signed with
/// TC3-HMAC-SHA256. Tencent sends approved templates only: the message's <c>tencent_template</c> id and its parameters
/// in the order declared ({1}, {2}…); the sign name comes from the settings.
/// </summary>
public sealed class TencentSmsChannel(HttpClient http, IOptions<TencentSmsOptions> options, TimeProvider clock) : IChannel
{
    private const string Service = "sms";
    private const string ApiVersion = "2021-01-11";
    private const string ContentType = "application/json; charset=utf-8";
    private readonly TencentSmsOptions _options = options.Value;

    /// <summary>The number opted out or is blocked: it must not be sent to again.</summary>
    public const string Blacklisted = "FailedOperation.PhoneNumberInBlacklist";

    /// <summary>Codes worth waiting for (besides every LimitExceeded.* and InternalError.*).</summary>
    private static readonly string[] Later = ["RequestLimitExceeded", "FailedOperation.InsufficientBalanceInSmsPackage", "FailedOperation.MarketingSendTimeConstraint", "ResourceUnavailable", "InternalError"];

    public RecipientField Recipient => Recipients.PhoneNumber;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (!message.Content.ProviderTemplate.Codes.TryGetValue(SmsProviders.Tencent, out var templateId))
            return new SendOutcome.Failed($"{message.Content.TemplateFile} names no tencent_template: Tencent Cloud sends only templates it approved");

        var payload = new JsonObject
        {
            ["PhoneNumberSet"] = new JsonArray(message.Recipient),
            ["SmsSdkAppId"] = _options.SdkAppId,
            ["SignName"] = _options.SignName,
            ["TemplateId"] = templateId,
            ["TemplateParamSet"] = new JsonArray([.. message.Content.ProviderTemplate.Parameters.Select(p => (JsonNode?)p.Value)]),
            ["SessionContext"] = message.Id.ToString(CultureInfo.InvariantCulture),
        }.ToJsonString();
        var uri = new Uri($"{_options.BaseUrl.TrimEnd('/')}/");
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(_options.SecretId!, _options.SecretKey!, Service, HostOf(uri), payload, timestamp));
        request.Headers.Add("X-TC-Action", "SendSms");
        request.Headers.Add("X-TC-Version", ApiVersion);
        request.Headers.Add("X-TC-Region", _options.Region);
        request.Headers.Add("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));

        return await ProviderCalls.SendAsync(http, request, "Tencent Cloud", (response, body) =>
        {
            var (code, text, serialNo) = Read(body);
            if (code == "Ok" && serialNo is { Length: > 0 }) return new SendOutcome.Sent(serialNo);
            return Outcome($"Tencent Cloud {(int)response.StatusCode} {code}: {text ?? response.ReasonPhrase}", code, (int)response.StatusCode);
        }, cancellationToken);
    }

    /// <summary>What an answer other than Ok means: wait and retry, suppress the number, or give up on this message.</summary>
    internal static SendOutcome Outcome(string reason, string? code, int status)
    {
        if (code is null || status >= 500 || Later.Contains(code)
            || code.StartsWith("LimitExceeded.", StringComparison.Ordinal) || code.StartsWith("InternalError.", StringComparison.Ordinal))
            return new SendOutcome.Retry(reason);
        if (code == Blacklisted) return new SendOutcome.Failed(reason, SuppressRecipient: true);
        if (code.StartsWith("AuthFailure.", StringComparison.Ordinal) || code.StartsWith("UnauthorizedOperation.", StringComparison.Ordinal))
            return new SendOutcome.Retry($"{reason} (check Channels:TencentSms:SecretId/SecretKey/SdkAppId)", TimeSpan.FromMinutes(5));
        // InvalidParameterValue.IncorrectPhoneNumber, a template or sign name not approved, parameters the template refuses.
        return new SendOutcome.Failed(reason);
    }

    /// <summary>
    /// The TC3-HMAC-SHA256 <c>Authorization</c> header of a JSON POST to <c>/</c>, signing its content type and host:
    /// the canonical request hashed into the string to sign, keyed by HMACs of the date, the service and
    /// <c>tc3_request</c> derived from <c>"TC3" + SecretKey</c>.
    /// </summary>
    public static string Authorization(string secretId, string secretKey, string service, string host, string payload, long timestamp)
    {
        var date = DateTimeOffset.FromUnixTimeSeconds(timestamp).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var canonicalRequest = $"POST\n/\n\ncontent-type:{ContentType}\nhost:{host}\n\ncontent-type;host\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(payload)))}";
        var scope = $"{date}/{service}/tc3_request";
        var stringToSign = $"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("TC3" + secretKey), date), service), "tc3_request");
        return $"TC3-HMAC-SHA256 Credential={secretId}/{scope}, SignedHeaders=content-type;host, Signature={Hex(Hmac(key, stringToSign))}";
    }

    /// <summary>The Host header HttpClient sends for <paramref name="uri"/>, as the signature must name it.</summary>
    public static string HostOf(Uri uri) => uri.IsDefaultPort ? uri.Host : uri.Authority;

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static (string? Code, string? Message, string? SerialNo) Read(string json)
    {
        try
        {
            var response = (JsonNode.Parse(json) as JsonObject)?["Response"] as JsonObject;
            if (response?["Error"] is JsonObject error) return (error["Code"]?.ToString(), error["Message"]?.ToString(), null);
            var status = (response?["SendStatusSet"] as JsonArray)?.FirstOrDefault() as JsonObject;
            return (status?["Code"]?.ToString(), status?["Message"]?.ToString(), status?["SerialNo"]?.ToString());
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }
}
