using System.Text.Json;
using Automation.Core.Storage;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// The Official Account's access token (<c>GET /cgi-bin/token</c>), shared by every node through the database. WeChat
/// honours one token at a time — fetching a new one retires the old within minutes — so a token is refreshed
/// <see cref="RefreshAhead"/> before it expires, by the one node whose claim the database granted; the others, and the
/// other senders of that node, wait for the token it saves. A token WeChat refused (40001, 42001) is refreshed once.
/// </summary>
public sealed class WeChatAccessTokens(HttpClient http, IOptions<WeChatOptions> options, IProviderTokenStore store, TimeProvider clock) : IDisposable
{
    /// <summary>How long before its expiry a token is replaced, so none is used in its last minutes.</summary>
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(100);
    private const int Waits = 100;

    private readonly WeChatOptions _options = options.Value;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private ProviderToken? _cached;

    private string StoreName => $"wechat:{_options.AppId}";

    /// <summary>A token to call WeChat with, never <paramref name="rejected"/>; throws <see cref="WeChatException"/> when none can be had.</summary>
    public async Task<string> TokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        for (var wait = 0; wait < Waits; wait++)
        {
            if (Usable(_cached, rejected) is { } cached) return cached;
            if (Usable(_cached = await store.ProviderTokenAsync(StoreName, cancellationToken), rejected) is { } stored) return stored;
            await _refreshing.WaitAsync(cancellationToken);
            try
            {
                if (Usable(_cached = await store.ProviderTokenAsync(StoreName, cancellationToken), rejected) is { } fresh) return fresh;
                var now = clock.GetUtcNow();
                if (await store.ClaimTokenRefreshAsync(StoreName, rejected, now, now + RefreshAhead, now + ClaimLease, cancellationToken))
                    return (_cached = await FetchAsync(cancellationToken)).Value;
            }
            finally
            {
                _refreshing.Release();
            }
            // Another node holds the claim: its token arrives in the database within moments.
            await Task.Delay(WaitStep, clock, cancellationToken);
        }
        throw new WeChatException(-1, "another node has been refreshing the access token for too long");
    }

    public void Dispose() => _refreshing.Dispose();

    private string? Usable(ProviderToken? token, string? rejected) =>
        token is not null && token.Value != rejected && token.ExpiresAt - RefreshAhead > clock.GetUtcNow() ? token.Value : null;

    private async Task<ProviderToken> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var url = $"{_options.BaseUrl.TrimEnd('/')}/cgi-bin/token?grant_type=client_credential&appid={Uri.EscapeDataString(_options.AppId ?? "")}&secret={Uri.EscapeDataString(_options.AppSecret ?? "")}";
            using var response = await http.GetAsync(url, cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = body.RootElement;
            if (root.TryGetProperty("access_token", out var value) && value.GetString() is { Length: > 0 } token
                && root.TryGetProperty("expires_in", out var seconds) && seconds.TryGetInt32(out var expiresIn))
            {
                var fetched = new ProviderToken(token, clock.GetUtcNow().AddSeconds(expiresIn));
                await store.SaveProviderTokenAsync(StoreName, fetched, CancellationToken.None);
                return fetched;
            }
            throw WeChatException.From(root, $"WeChat answered {(int)response.StatusCode} without an access token");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException or WeChatException)
        {
            await store.ReleaseTokenRefreshAsync(StoreName, CancellationToken.None);
            throw e as WeChatException ?? new WeChatException(-1, $"fetching the access token: {e.Message}");
        }
    }
}

/// <summary>An error WeChat answered (<c>errcode</c>, <c>errmsg</c>), or -1 when it could not be reached.</summary>
public sealed class WeChatException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    internal static WeChatException From(JsonElement root, string fallback)
    {
        var code = root.TryGetProperty("errcode", out var c) && c.TryGetInt32(out var number) ? number : -1;
        var message = root.TryGetProperty("errmsg", out var m) ? m.GetString() : null;
        return new WeChatException(code, $"WeChat {code}: {message ?? fallback}");
    }
}
