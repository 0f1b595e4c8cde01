using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// Posts each message as JSON to a URL of yours — the worked example of docs/channels.md. The receiver verifies
/// <c>X-Automation-Signature: sha256=HEX</c>, an HMAC-SHA256 keyed by the secret over
/// <c>"{X-Automation-Timestamp}.{body}"</c>, and refuses timestamps older than a few minutes to stop replays.
/// 2xx is sent; 429, 5xx and network errors retry; other 4xx fail.
/// </summary>
public sealed class WebhookChannel(HttpClient http, IOptions<WebhookOptions> options, TimeProvider clock) : IChannel
{
    public const string SignatureHeader = "X-Automation-Signature";
    public const string TimestampHeader = "X-Automation-Timestamp";

    private readonly WebhookOptions _options = options.Value;

    public RecipientField Recipient => Recipients.AnyAddress;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new
        {
            id = message.IdempotencyKey,
            customer = message.CustomerId,
            to = message.Recipient,
            subject = message.Content.Subject,
            text = message.Content.Text,
            html = message.Content.Html,
            template = Path.GetFileName(message.Content.TemplateFile),
            locale = message.Content.Locale,
            context = message.Metadata,
            unsubscribeUrl = message.UnsubscribeUrl,
        });
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, $"sha256={Sign(_options.Secret ?? "", timestamp, body)}");
        request.Headers.Add("Idempotency-Key", message.IdempotencyKey);

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new SendOutcome.Sent(response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.First() : message.IdempotencyKey);
            if (status == 429 || status >= 500) return new SendOutcome.Retry($"webhook answered {status}", response.Headers.RetryAfter?.Delta);
            return new SendOutcome.Failed($"webhook answered {status}");
        }
        catch (HttpRequestException e)
        {
            return new SendOutcome.Retry($"webhook unreachable: {e.Message}");
        }
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
