using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Automation.Tests.Support;

/// <summary>
/// A real HTTP server on loopback speaking the WeChat Official Account API: <c>GET /cgi-bin/token</c> issues
/// <c>token-1</c>, <c>token-2</c>, … (each retiring the one before, as WeChat does) and counts the calls;
/// <c>POST /cgi-bin/message/template/send</c> checks the token and the request's shape. The openid
/// <see cref="Unfollowed"/> answers 43004, one in <see cref="BusyOnce"/> answers -1 once.
/// <c>POST /cgi-bin/message/subscribe/bizsend</c> (subscribe messages) checks the token, takes only the documented
/// fields (<c>touser</c>, <c>template_id</c>, <c>page</c>, <c>miniprogram</c>, <c>data</c> of <c>{ "value" }</c>),
/// holds <c>thing</c> fields to 20 characters (47003) and answers without a msgid; <see cref="Refused"/> answers
/// 43101, one in <see cref="BusyOnce"/> 45011 (per-minute limit) once.
/// </summary>
public sealed class FakeWeChat : IAsyncDisposable
{
    public const string AppId = "wx0123456789abcdef";
    public const string AppSecret = "0123456789abcdef0123456789abcdef";
    public const string Unfollowed = "o-unfollowed";
    public const string Refused = "o-refused";

    private static readonly string[] SubscribeFields = ["touser", "template_id", "page", "miniprogram", "data"];

    private readonly WebApplication _app;
    private int _tokens;
    private volatile string? _current;

    private FakeWeChat(WebApplication app, string url) => (_app, Url) = (app, url);

    public string Url { get; }

    /// <summary>How many times a token was fetched.</summary>
    public int TokenFetches => Volatile.Read(ref _tokens);

    /// <summary>How long the token endpoint takes to answer, to widen races between fetchers.</summary>
    public TimeSpan TokenDelay { get; set; }

    public ConcurrentDictionary<string, bool> BusyOnce { get; } = new();

    /// <summary>Every send request: the token it carried and its JSON body.</summary>
    public ConcurrentQueue<(string Token, JsonObject Body)> Sends { get; } = new();

    /// <summary>The sends answered 0 (ok).</summary>
    public ConcurrentQueue<JsonObject> Accepted { get; } = new();

    /// <summary>The subscribe messages answered 0 (ok).</summary>
    public ConcurrentQueue<JsonObject> Subscribed { get; } = new();

    /// <summary>Retires the current token without issuing another, as WeChat does when the secret is reset elsewhere.</summary>
    public void RetireToken() => _current = null;

    public static async Task<FakeWeChat> StartAsync()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var weChat = new FakeWeChat(app, url);
        app.MapGet("/cgi-bin/token", async (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["grant_type"] != "client_credential" || q["appid"] != AppId) return Results.Json(new { errcode = 40013, errmsg = "invalid appid" });
            if (q["secret"] != AppSecret) return Results.Json(new { errcode = 40125, errmsg = "invalid appsecret" });
            var n = Interlocked.Increment(ref weChat._tokens);
            if (weChat.TokenDelay > TimeSpan.Zero) await Task.Delay(weChat.TokenDelay);
            weChat._current = $"token-{n}";
            return Results.Json(new { access_token = weChat._current, expires_in = 7200 });
        });
        app.MapPost("/cgi-bin/message/template/send", async (HttpRequest request) =>
        {
            var token = request.Query["access_token"].ToString();
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            weChat.Sends.Enqueue((token, body));
            if (token != weChat._current) return Results.Json(new { errcode = 40001, errmsg = "invalid credential, access_token is invalid or not latest" });
            if (body["touser"]?.GetValue<string>() is not { Length: > 0 } openId || body["template_id"]?.GetValue<string>() is not { Length: > 0 }
                || body["data"] is not JsonObject data || data.Any(f => f.Value?["value"] is not JsonValue))
                return Results.Json(new { errcode = 47001, errmsg = "data format error" });
            if (openId == Unfollowed) return Results.Json(new { errcode = 43004, errmsg = "require subscribe" });
            if (weChat.BusyOnce.TryRemove(openId, out _)) return Results.Json(new { errcode = -1, errmsg = "system error" });
            weChat.Accepted.Enqueue(body);
            return Results.Json(new { errcode = 0, errmsg = "ok", msgid = 200228332L + weChat.Accepted.Count });
        });
        app.MapPost("/cgi-bin/message/subscribe/bizsend", async (HttpRequest request) =>
        {
            var token = request.Query["access_token"].ToString();
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            weChat.Sends.Enqueue((token, body));
            if (token != weChat._current) return Results.Json(new { errcode = 40001, errmsg = "invalid credential, access_token is invalid or not latest" });
            if (body.Select(p => p.Key).FirstOrDefault(k => !SubscribeFields.Contains(k)) is { } unknown)
                return Results.Json(new { errcode = 47001, errmsg = $"data format error: unexpected {unknown}" });
            if (body["touser"]?.GetValue<string>() is not { Length: > 0 } openId || body["template_id"]?.GetValue<string>() is not { Length: > 0 }
                || body["data"] is not JsonObject data || data.Any(f => f.Value is not JsonObject { Count: 1 } field || field["value"] is not JsonValue))
                return Results.Json(new { errcode = 47003, errmsg = "argument invalid! data format" });
            if (data.FirstOrDefault(f => f.Key.StartsWith("thing", StringComparison.Ordinal) && f.Value!["value"]!.GetValue<string>().Length > 20) is { Key: { } longThing })
                return Results.Json(new { errcode = 47003, errmsg = $"argument invalid! data.{longThing}.value invalid" });
            if (openId == Refused) return Results.Json(new { errcode = 43101, errmsg = "user refuse to accept the msg" });
            if (weChat.BusyOnce.TryRemove(openId, out _)) return Results.Json(new { errcode = 45011, errmsg = "api minute-quota reach limit" });
            weChat.Subscribed.Enqueue(body);
            return Results.Json(new { errcode = 0, errmsg = "ok" });
        });
        await app.StartAsync();
        return weChat;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
