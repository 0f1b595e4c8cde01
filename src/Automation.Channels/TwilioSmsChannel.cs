using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// SMS through Twilio's Programmable Messaging REST API (no SDK): form-encoded POST with Basic auth. 429 waits and
/// retries; 21610 (the recipient replied STOP) fails and suppresses the number; 21211 and 21614 (not a valid mobile
/// number) fail for good.
/// </summary>
public sealed class TwilioSmsChannel(HttpClient http, IOptions<TwilioOptions> options) : IChannel
{
    /// <summary>The longest body Twilio sends as one message.</summary>
    public const int MaxBodyLength = 1600;
    public const int RecipientUnsubscribed = 21610;
    private static readonly int[] InvalidNumber = [21211, 21614];
    private readonly TwilioOptions _options = options.Value;

    public RecipientField Recipient => Recipients.PhoneNumber;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (message.Content.Text.Length > MaxBodyLength)
            return new SendOutcome.Failed($"the SMS is {message.Content.Text.Length} characters; Twilio takes at most {MaxBodyLength}");

        var form = new List<KeyValuePair<string, string>> { new("To", message.Recipient), new("Body", message.Content.Text) };
        if (_options.MessagingServiceSid is { Length: > 0 } service) form.Add(new("MessagingServiceSid", service));
        else form.Add(new("From", _options.From ?? ""));
        if (_options.StatusCallbackUrl is { Length: > 0 } callback) form.Add(new("StatusCallback", callback));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_options.BaseUrl.TrimEnd('/')}/2010-04-01/Accounts/{_options.AccountSid}/Messages.json")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.AccountSid}:{_options.AuthToken}")));

        return await ProviderCalls.SendAsync(http, request, "Twilio", (response, body) =>
        {
            if (response.IsSuccessStatusCode)
                return new SendOutcome.Sent(Read(body, "sid") ?? throw new InvalidOperationException("Twilio answered without a sid."));

            var code = int.TryParse(Read(body, "code"), out var c) ? c : 0;
            var reason = $"Twilio {(int)response.StatusCode} {code}: {Read(body, "message") ?? response.ReasonPhrase}";
            if (response.StatusCode == HttpStatusCode.TooManyRequests || code == 20429)
                // Twilio documents no Retry-After for 429: without one the dispatcher's doubling backoff applies, where a
                // fixed delay would spend all attempts within minutes of a longer throttling and dead-letter the message.
                return new SendOutcome.Retry(reason, response.Headers.RetryAfter?.Delta);
            if (code == RecipientUnsubscribed) return new SendOutcome.Failed(reason, SuppressRecipient: true);
            if (InvalidNumber.Contains(code)) return new SendOutcome.Failed(reason);
            if ((int)response.StatusCode >= 500) return new SendOutcome.Retry(reason);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                return new SendOutcome.Retry($"{reason} (check Channels:Sms:AccountSid/AuthToken)", TimeSpan.FromMinutes(5));
            return new SendOutcome.Failed(reason);
        }, cancellationToken);
    }

    /// <summary>
    /// Whether a status callback really comes from Twilio: base64 HMAC-SHA1, keyed by the auth token, of the URL
    /// followed by every POST parameter, sorted by name, each name followed by its value.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Twilio signs its requests with HMAC-SHA1; checking that signature is not a choice of algorithm.")]
    public static bool IsGenuineCallback(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return false;
        var data = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) data.Append(name).Append(value);
        var expected = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        try
        {
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromBase64String(signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? Read(string json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty(property, out var value) ? value.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
