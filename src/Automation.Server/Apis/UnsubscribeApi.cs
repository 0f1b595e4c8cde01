using System.Net;
using Automation.Core.Messaging;
using Automation.Core.Storage;

namespace Automation.Server.Apis;

/// <summary>
/// <c>GET /u/{token}</c> shows a one-button unsubscribe page; <c>POST /u/{token}</c> unsubscribes, from that page or
/// from a mail client's one-click button (RFC 8058). The signed token is the only credential.
/// </summary>
internal static class UnsubscribeApi
{
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/u/{token}", (string token, UnsubscribeLinks links) =>
            links.Read(token) is { } target
                ? Page("Unsubscribe", $"<p>Stop marketing {Channel(target.Channel)} to <strong>{WebUtility.HtmlEncode(target.Address)}</strong>?</p>" +
                    $"<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>")
                : Page("Link not valid", "<p>This unsubscribe link is not valid. Use the link from the latest message.</p>", StatusCodes.Status404NotFound));

        app.MapPost("/u/{token}", async (string token, UnsubscribeLinks links, IOutboxStore outbox, TimeProvider clock, CancellationToken ct) =>
        {
            if (links.Read(token) is not { } target)
                return Page("Link not valid", "<p>This unsubscribe link is not valid.</p>", StatusCodes.Status404NotFound);
            await outbox.SuppressAsync(target.Channel, target.Address, "unsubscribed", clock.GetUtcNow(), ct);
            return Page("Unsubscribed", $"<p>You will get no more marketing {Channel(target.Channel)} at <strong>{WebUtility.HtmlEncode(target.Address)}</strong>.</p>");
        }).DisableAntiforgery();
        return app;
    }

    private static string Channel(string channel) => channel switch { "email" => "emails", "sms" => "text messages", _ => "messages" };

    private static IResult Page(string title, string body, int status = StatusCodes.Status200OK) => Results.Content(
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>" +
        $"<body style=\"font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\"><h1>{title}</h1>{body}</body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
