using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// SMS through Aliyun's SendSms (API version 2017-05-25) over REST, no SDK: a form POST signed with Aliyun's RPC
/// signature (HMAC-SHA1). Aliyun sends approved templates only: the message's <c>aliyun_template</c> code and its
/// parameters as JSON; the sign name comes from the settings and Aliyun puts it in 【】 itself.
/// </summary>
public sealed class AliyunSmsChannel(HttpClient http, IOptions<AliyunSmsOptions> options, TimeProvider clock) : IChannel
{
    private const string ApiVersion = "2017-05-25";
    private readonly AliyunSmsOptions _options = options.Value;

    /// <summary>Frequency controls and Aliyun's own trouble: the number or account may be sent to later.</summary>
    private static readonly string[] Later = ["isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY", "SignatureNonceUsed", "ServiceUnavailable", "InternalError"];

    /// <summary>The credentials are wrong: nothing can be sent until someone fixes the settings.</summary>
    private static readonly string[] Credentials = ["InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch", "isv.ACCOUNT_NOT_EXISTS", "isv.ACCOUNT_ABNORMAL", "Forbidden.RAM", "InvalidTimeStamp.Expired"];

    public RecipientField Recipient => Recipients.PhoneNumber;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (!message.Content.ProviderTemplate.Codes.TryGetValue(SmsProviders.Aliyun, out var templateCode))
            return new SendOutcome.Failed($"{message.Content.TemplateFile} names no aliyun_template: Aliyun sends only templates it approved");

        var parameters = new JsonObject();
        foreach (var (name, value) in message.Content.ProviderTemplate.Parameters) parameters[name] = value;
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccessKeyId"] = _options.AccessKeyId!,
            ["Action"] = "SendSms",
            ["Format"] = "JSON",
            ["OutId"] = message.Id.ToString(CultureInfo.InvariantCulture),
            // Aliyun takes mainland numbers with 86 in front and others as country code + number, never with "+".
            ["PhoneNumbers"] = message.Recipient.TrimStart('+'),
            ["RegionId"] = _options.RegionId,
            ["SignName"] = _options.SignName!,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = Guid.NewGuid().ToString(),
            ["SignatureVersion"] = "1.0",
            ["TemplateCode"] = templateCode,
            ["TemplateParam"] = parameters.ToJsonString(),
            ["Timestamp"] = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["Version"] = ApiVersion,
        };
        form["Signature"] = Sign("POST", form, _options.AccessKeySecret!);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_options.BaseUrl.TrimEnd('/')}/") { Content = new FormUrlEncodedContent(form) };
        return await ProviderCalls.SendAsync(http, request, "Aliyun", (response, body) =>
        {
            var (code, text, bizId) = Read(body);
            if (code == "OK" && bizId is { Length: > 0 }) return new SendOutcome.Sent(bizId);
            return Outcome($"Aliyun {(int)response.StatusCode} {code}: {text ?? response.ReasonPhrase}", code, (int)response.StatusCode);
        }, cancellationToken);
    }

    /// <summary>What an answer other than OK means: wait and retry, or give up on this message.</summary>
    internal static SendOutcome Outcome(string reason, string? code, int status)
    {
        if (code is null || status >= 500 || Later.Contains(code) || code.StartsWith("Throttling", StringComparison.Ordinal))
            return new SendOutcome.Retry(reason);
        if (Credentials.Contains(code))
            return new SendOutcome.Retry($"{reason} (check Channels:AliyunSms:AccessKeyId/AccessKeySecret)", TimeSpan.FromMinutes(5));
        // isv.MOBILE_NUMBER_ILLEGAL, a template or sign name not approved, parameters the template refuses: never goes through.
        return new SendOutcome.Failed(reason);
    }

    /// <summary>
    /// Aliyun's RPC signature: the parameters sorted by name, each name and value percent-encoded (RFC 3986) and
    /// joined as a query, then <c>METHOD&amp;%2F&amp;</c> + that query encoded again, HMAC-SHA1 keyed by the secret and
    /// <c>&amp;</c>, in base64.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Aliyun's RPC signature is HMAC-SHA1; the algorithm is the provider's.")]
    public static string Sign(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        var query = string.Join('&', parameters.Where(p => p.Key != "Signature").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
        var stringToSign = $"{method}&{Encode("/")}&{Encode(query)}";
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>RFC 3986 percent-encoding in upper case: only letters, digits and <c>-_.~</c> stay as they are.</summary>
    private static string Encode(string text) => Uri.EscapeDataString(text);

    private static (string? Code, string? Message, string? BizId) Read(string json)
    {
        try
        {
            var root = JsonNode.Parse(json) as JsonObject;
            return (root?["Code"]?.ToString(), root?["Message"]?.ToString(), root?["BizId"]?.ToString());
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }
}
