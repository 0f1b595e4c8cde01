using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Automation.Tests.Support;

/// <summary>
/// A real HTTP server on loopback speaking Twilio's documented Messages API, with Twilio's own test numbers:
/// +15005550009 is not a valid number (21211), +15005550010 replied STOP (21610); a number in <see cref="Busy"/>
/// is answered 429 once; <see cref="Throttling"/> refuses everything for a while.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string InvalidNumber = "+15005550009";
    public const string Unsubscribed = "+15005550010";

    private readonly WebApplication _app;

    private FakeTwilio(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();
    public ConcurrentDictionary<string, bool> Busy { get; } = new();

    /// <summary>While this answers true, every request is refused with 429 / 20429 and, as Twilio documents it, no Retry-After.</summary>
    public Func<bool>? Throttling { get; set; }

    /// <summary>The requests answered 201: what Twilio would have sent.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Accepted { get; } = new();

    public static async Task<FakeTwilio> StartAsync()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var twilio = new FakeTwilio(app, url);
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", async (string sid, HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
            fields["Authorization"] = request.Headers.Authorization.ToString();
            fields["AccountSid"] = sid;
            twilio.Requests.Enqueue(fields);
            var to = fields["To"];
            if (twilio.Throttling?.Invoke() == true)
                return Results.Json(new { code = 20429, message = "Too Many Requests", status = 429 }, statusCode: 429);
            if (twilio.Busy.TryRemove(to, out _))
            {
                request.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.Json(new { code = 20429, message = "Too Many Requests", status = 429 }, statusCode: 429);
            }
            return to switch
            {
                InvalidNumber => Results.Json(new { code = 21211, message = "The 'To' number is not a valid phone number.", status = 400 }, statusCode: 400),
                Unsubscribed => Results.Json(new { code = 21610, message = "Attempt to send to unsubscribed recipient", status = 400 }, statusCode: 400),
                _ => twilio.Accept(fields),
            };
        });
        await app.StartAsync();
        return twilio;
    }

    private IResult Accept(Dictionary<string, string> fields)
    {
        Accepted.Enqueue(fields);
        return Results.Json(new { sid = $"SM{Guid.NewGuid():N}", status = "queued", to = fields["To"] }, statusCode: 201);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
