using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// Email engagement: <c>GET /t/o/{token}.gif</c> (the open pixel) and <c>GET|HEAD /t/c/{token}</c> (a link, 302 to
/// where it was signed to lead), each recorded as an <c>Email Opened</c> / <c>Email Link Clicked</c> event on the
/// customer; <c>GET /v1/metrics/engagement</c> gives open and click rates per journey and broadcast. A token that is
/// not genuine gets 404 and records nothing.
/// </summary>
internal static class EngagementApi
{
    public const string Opened = "Email Opened";
    public const string Clicked = "Email Link Clicked";

    // A transparent 1×1 GIF.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static ApiRoutes MapEngagementApi(this ApiRoutes v1, IEndpointRouteBuilder app)
    {
        app.MapGet("/t/o/{file}", async (string file, HttpRequest request, EmailTracking tracking, IEngagementStore store, IngestionService ingestion, TimeProvider clock, CancellationToken ct) =>
        {
            if (!file.EndsWith(".gif", StringComparison.Ordinal) || tracking.Read(file[..^4]) is not { IsClick: false } target) return Results.NotFound();
            if (await store.TrackedMessageAsync(target.MessageId, ct) is not { } message) return Results.NotFound();
            var now = clock.GetUtcNow();
            var machine = EngagementFilter.IsMachineOpen(request.Headers.UserAgent, request.HttpContext.Connection.RemoteIpAddress, message.SentAt, now);
            await RecordAsync(store, ingestion, message, new Engagement(message.Id, Engagement.Open, null, machine, now), ct);
            request.HttpContext.Response.Headers.CacheControl = "no-store, private";
            return Results.Bytes(Pixel, "image/gif");
        }).ExcludeFromDescription();

        app.MapMethods("/t/c/{token}", ["GET", "HEAD"], async (string token, HttpRequest request, EmailTracking tracking, IEngagementStore store, IngestionService ingestion, TimeProvider clock, CancellationToken ct) =>
        {
            // Only a URL this server signed is ever a redirect target: an altered one is not a genuine token.
            if (tracking.Read(token) is not { IsClick: true, Url: { } url } target) return Results.NotFound();
            if (await store.TrackedMessageAsync(target.MessageId, ct) is not { } message) return Results.NotFound();
            var now = clock.GetUtcNow();
            var machine = EngagementFilter.IsMachineClick(request.Method, request.Headers.UserAgent, request.HttpContext.Connection.RemoteIpAddress, message.SentAt, now);
            await RecordAsync(store, ingestion, message, new Engagement(message.Id, Engagement.Click, url, machine, now), ct);
            return Results.Redirect(url);
        }).ExcludeFromDescription();

        v1.Admin.MapGet("/metrics/engagement", async (string? from, string? to, string? journey, IEngagementStore store, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            if (!TryDate(from, now.AddDays(-30), out var since)) return ValidationProblem.For("from", "must be a date such as 2026-05-01");
            if (!TryDate(to, now, out var until)) return ValidationProblem.For("to", "must be a date such as 2026-05-31");
            return Results.Ok(new { from = since, to = until, journeys = await store.EngagementRatesAsync(since, until, journey, ct) });
        });
        return v1;
    }

    private static bool TryDate(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        return text is null || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Keeps the row for rates and records the event on the customer, where journeys and rules see it.</summary>
    private static async Task RecordAsync(IEngagementStore store, IngestionService ingestion, TrackedMessage message, Engagement engagement, CancellationToken ct)
    {
        await store.RecordEngagementAsync(engagement, ct);
        var properties = new JsonObject
        {
            ["message_id"] = message.Id, ["journey"] = message.Journey, ["step"] = message.Step, ["machine"] = engagement.Machine,
        };
        if (engagement.Url is not null) properties["url"] = engagement.Url;
        var eventId = $"engagement:{engagement.Kind}:{message.Id}:{engagement.At.ToUnixTimeMilliseconds()}:{Guid.NewGuid():N}";
        List<InboundMessage> messages = [Inbound(MessageType.Track, eventId, message, engagement.At, properties, engagement.Kind == Engagement.Open ? Opened : Clicked)];
        // What rules read: when the customer last opened an email, as a reader (see CustomerFacts.DaysSinceLastEmailOpen).
        if (engagement is { Kind: Engagement.Open, Machine: false })
            messages.Insert(0, Inbound(MessageType.Identify, $"{eventId}:trait", message, engagement.At,
                new JsonObject { [CustomerFactsTraits.LastEmailOpenedAt] = engagement.At.ToString("O", CultureInfo.InvariantCulture) }, null));
        await ingestion.IngestAsync(messages, ct);
    }

    private static InboundMessage Inbound(MessageType type, string id, TrackedMessage message, DateTimeOffset at, JsonObject properties, string? eventName) => new()
    {
        Type = type,
        MessageId = id,
        UserId = message.Anonymous ? null : message.CustomerId,
        AnonymousId = message.Anonymous ? message.CustomerId : null,
        EventName = eventName,
        Timestamp = at,
        ReceivedAt = at,
        Properties = properties,
    };
}
