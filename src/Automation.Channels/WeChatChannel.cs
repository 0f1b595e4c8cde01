using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// Messages of a WeChat Official Account to the openid in a customer trait (no SDK): template messages
/// (<c>POST /cgi-bin/message/template/send</c>) or, for files with <c>kind: subscribe</c>, subscribe messages
/// (<c>POST /cgi-bin/message/subscribe/bizsend</c>). The rendered template is the request less <c>touser</c> (see
/// <see cref="WeChatTemplate"/>). 43004 (the customer no longer follows the account) and 43101 (they refused or
/// cancelled the subscription) fail and suppress the openid; 40001/42001/40014 (token refused) refresh the token and
/// try once more; -1 (busy), 43108 (too many concurrent sends), 45011 (per-minute limit) and 45009 (daily quota) retry
/// later; others fail with WeChat's code.
/// </summary>
public sealed class WeChatChannel(HttpClient http, IOptions<WeChatOptions> options, WeChatAccessTokens tokens) : IChannel
{
    /// <summary>The name journeys send on.</summary>
    public const string Name = "wechat";

    public const int Unfollowed = 43004;

    /// <summary>A subscribe message the customer refused, or whose subscription they cancelled.</summary>
    public const int SubscriptionRefused = 43101;

    private static readonly int[] TokenRefused = [40001, 40014, 42001];
    private static readonly int[] Busy = [-1, 43108, 45011, 45009];
    private static readonly TimeSpan QuotaRetry = TimeSpan.FromHours(1);

    private readonly WeChatOptions _options = options.Value;

    public RecipientField Recipient { get; } = Recipients.WeChatOpenId(options.Value.OpenIdTrait);

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(message.Content.Text) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            return new SendOutcome.Failed($"{message.Content.TemplateFile} is not a WeChat template ({e.Message}): give it template_id and 'field: value' lines");
        }
        request["touser"] = message.Recipient;
        var subscribe = message.Content.WeChatKind == WeChatMessageKind.Subscribe;
        // template/send sends one message per openid and client_msg_id: a send repeated after a lost answer is not a
        // second message. bizsend documents no such field.
        if (!subscribe) request["client_msg_id"] = ClientMessageId(message.IdempotencyKey);
        var body = request.ToJsonString();
        var path = subscribe ? "/cgi-bin/message/subscribe/bizsend" : "/cgi-bin/message/template/send";

        string? rejected = null;
        for (var attempt = 0; ; attempt++)
        {
            string token;
            try
            {
                token = await tokens.TokenAsync(rejected, cancellationToken);
            }
            catch (WeChatException e)
            {
                return new SendOutcome.Retry($"no WeChat access token: {e.Message} (check Channels:WeChat:AppId/AppSecret)", TimeSpan.FromMinutes(5));
            }
            var (code, reason, messageId) = await PostAsync(path, token, body, cancellationToken);
            // bizsend answers no msgid: the message is then known by its idempotency key, as webhooks are.
            if (code == 0) return new SendOutcome.Sent(messageId ?? message.IdempotencyKey);
            if (TokenRefused.Contains(code) && attempt == 0)
            {
                rejected = token;
                continue;
            }
            if (code is Unfollowed or SubscriptionRefused) return new SendOutcome.Failed(reason, SuppressRecipient: true);
            if (code == 45009) return new SendOutcome.Retry(reason, QuotaRetry);
            if (Busy.Contains(code) || TokenRefused.Contains(code)) return new SendOutcome.Retry(reason);
            return new SendOutcome.Failed(reason);
        }
    }

    private async Task<(int Code, string Reason, string? MessageId)> PostAsync(string path, string token, string body, CancellationToken cancellationToken)
    {
        var url = $"{_options.BaseUrl.TrimEnd('/')}{path}?access_token={Uri.EscapeDataString(token)}";
        try
        {
            using var response = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode) return (-1, $"WeChat answered HTTP {(int)response.StatusCode}", null);
            using var answer = JsonDocument.Parse(text);
            var root = answer.RootElement;
            var code = root.TryGetProperty("errcode", out var c) && c.TryGetInt32(out var number) ? number : 0;
            var messageId = root.TryGetProperty("msgid", out var id) ? id.ToString() : null;
            return (code, $"WeChat {code}: {(root.TryGetProperty("errmsg", out var m) ? m.GetString() : "")}", messageId);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            return (-1, $"WeChat unreachable: {e.Message}", null);
        }
    }

    // WeChat takes at most 64 characters: a longer idempotency key is shortened to its hash.
    private static string ClientMessageId(string idempotencyKey) => idempotencyKey.Length <= 64
        ? idempotencyKey
        : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));
}
