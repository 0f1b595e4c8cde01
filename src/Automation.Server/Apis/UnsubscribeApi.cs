using System.Net;
using System.Text.Json;
using Automation.Core.Audit;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Hosting;
using Microsoft.Net.Http.Headers;

namespace Automation.Server.Apis;

/// <summary>
/// <c>GET /u/{token}</c> shows a one-button unsubscribe page; <c>POST /u/{token}</c> unsubscribes, from that page or
/// from a mail client's one-click button (RFC 8058). The token is the only credential. The page speaks the customer's
/// language: the locale sealed in the token, else the browser's <c>Accept-Language</c>, else
/// <c>Templates:DefaultLocale</c>; its words are <c>templates/_pages/unsubscribe[.locale].json</c>, edited like templates.
/// </summary>
internal static class UnsubscribeApi
{
    /// <summary>The words of the page in one language; <c>{channel}</c> and <c>{address}</c> are filled in.</summary>
    private sealed record PageTexts(string AskTitle, string Ask, string Button, string DoneTitle, string Done, string InvalidTitle, string Invalid,
        Dictionary<string, string> Channels, string? Locale);

    private static readonly PageTexts English = new("Unsubscribe", "Stop marketing {channel} to {address}?", "Unsubscribe", "Unsubscribed",
        "You will get no more marketing {channel} at {address}.", "Link not valid", "This unsubscribe link is not valid. Use the link from the latest message.",
        new() { ["email"] = "emails", ["sms"] = "text messages", ["other"] = "messages" }, "en");

    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/u/{token}", (string token, HttpRequest request, UnsubscribeLinks links, JourneyFiles files) =>
        {
            var target = links.Read(token);
            var texts = Texts(files, target?.Locale, request);
            return target is null
                ? Page(texts, texts.InvalidTitle, $"<p>{Encode(texts.Invalid)}</p>", StatusCodes.Status404NotFound)
                : Page(texts, texts.AskTitle, $"<p>{Fill(texts.Ask, texts, target)}</p><form method=\"post\"><button type=\"submit\">{Encode(texts.Button)}</button></form>");
        });

        app.MapPost("/u/{token}", async (string token, HttpRequest request, UnsubscribeLinks links, JourneyFiles files, IOutboxStore outbox, TimeProvider clock, CancellationToken ct) =>
        {
            var target = links.Read(token);
            var texts = Texts(files, target?.Locale, request);
            if (target is null) return Page(texts, texts.InvalidTitle, $"<p>{Encode(texts.Invalid)}</p>", StatusCodes.Status404NotFound);
            await outbox.SuppressAsync(target.Channel, target.Address, "unsubscribed", clock.GetUtcNow(), AuditActor.System("unsubscribe link"), ct);
            return Page(texts, texts.DoneTitle, $"<p>{Fill(texts.Done, texts, target)}</p>");
        }).DisableAntiforgery();
        return app;
    }

    private static PageTexts Texts(JourneyFiles files, string? locale, HttpRequest request)
    {
        var wanted = locale ?? request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1).Select(l => l.Value.Value)
            .FirstOrDefault(TemplateFiles.IsLocale);
        if (new TemplateFiles(files.TemplatesFolder, files.Templates.DefaultLocale).FindLocalized("_pages/unsubscribe", "json", wanted) is not { } found)
            return English;
        try
        {
            var texts = JsonSerializer.Deserialize<PageTexts>(files.TemplatesFolder.ReadAllText(found.File), JsonSerializerOptions.Web);
            return texts is null ? English : texts with { Locale = found.Locale ?? "en" };
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // A broken page file never costs a customer their unsubscribe: the page falls back to English.
            return English;
        }
    }

    private static string Fill(string text, PageTexts texts, UnsubscribeTarget target) => Encode(text)
        .Replace("{channel}", Encode(texts.Channels.GetValueOrDefault(target.Channel) ?? texts.Channels.GetValueOrDefault("other") ?? target.Channel), StringComparison.Ordinal)
        .Replace("{address}", $"<strong>{Encode(target.Address)}</strong>", StringComparison.Ordinal);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IResult Page(PageTexts texts, string title, string body, int status = StatusCodes.Status200OK) => Results.Content(
        $"<!DOCTYPE html><html lang=\"{Encode(texts.Locale ?? "en")}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{Encode(title)}</title></head>" +
        $"<body style=\"font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\"><h1>{Encode(title)}</h1>{body}</body></html>",
        "text/html; charset=utf-8", statusCode: status);
}
