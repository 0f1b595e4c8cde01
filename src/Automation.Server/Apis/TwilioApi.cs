using Automation.Channels;
using Automation.Core.Audit;
using Automation.Core.Ingestion;
using Automation.Core.Messaging;
using Automation.Core.Messaging.Replies;
using Automation.Core.Storage;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// Twilio's webhooks, authenticated by <c>X-Twilio-Signature</c>, not by an API key; a request without a valid
/// signature is refused with 403. Without Twilio configured (no account and auth token) the routes do not exist (404):
/// there is no key a genuine request could be signed with.
/// <list type="bullet">
/// <item><c>POST /twilio/status</c>: delivery reports of the messages we sent.</item>
/// <item><c>POST /twilio/inbound</c>: customers' replies (the number's "A message comes in" webhook), applied by
/// <see cref="InboundReplies"/>. HELP and INFO are answered with the shop's help text as TwiML
/// (<see cref="TwilioOptions.HelpReply"/>), unless Advanced Opt-Out already answered them (it then sends
/// <c>OptOutType=HELP</c>); everything else gets an empty <c>&lt;Response/&gt;</c>, because Twilio itself confirms the
/// standard opt-out and opt-in keywords on long codes (and Advanced Opt-Out, when on, its own).</item>
/// </list>
/// </summary>
internal static class TwilioApi
{
    public const string StatusPath = "/twilio/status";
    public const string InboundPath = "/twilio/inbound";

    /// <summary>Twilio's convention for "nothing to say back".</summary>
    private const string EmptyTwiml = """<?xml version="1.0" encoding="UTF-8"?><Response/>""";

    public static IEndpointRouteBuilder MapTwilioApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(StatusPath, async (HttpRequest request, IOptions<TwilioOptions> settings, IOutboxStore outbox, TimeProvider clock, CancellationToken ct) =>
        {
            var options = settings.Value;
            var url = options.StatusCallbackUrl ?? $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
            var (form, refusal) = await ReadSignedFormAsync(request, options, url, ct);
            if (form is null) return refusal!;

            var sid = form["MessageSid"].ToString();
            var (status, error) = form["MessageStatus"].ToString() switch
            {
                "delivered" => (MessageStatus.Delivered, (string?)null),
                "undelivered" or "failed" => (MessageStatus.Failed, $"Twilio {form["MessageStatus"]} {form["ErrorCode"]}"),
                _ => ((MessageStatus?)null, (string?)null),
            };
            if (status is null) return Results.NoContent();
            var recipient = await outbox.ReportDeliveryAsync("sms", sid, status.Value, error, ct);
            if (recipient is not null && form["ErrorCode"] == TwilioSmsChannel.RecipientUnsubscribed.ToString(System.Globalization.CultureInfo.InvariantCulture))
                await outbox.SuppressAsync("sms", recipient, SuppressionReasons.RepliedStop, clock.GetUtcNow(), AuditActor.System("twilio status callback"), ct);
            return Results.NoContent();
        }).DisableAntiforgery();

        app.MapPost(InboundPath, async (HttpRequest request, IOptions<TwilioOptions> settings, IOptions<TemplatesOptions> templates, InboundReplies replies, CancellationToken ct) =>
        {
            // Twilio signs the URL configured on the number, which is this server's public address, not the one a
            // proxy in front of it forwarded to.
            var url = $"{MessagingServices.PublicUrl(request.HttpContext.RequestServices).TrimEnd('/')}{InboundPath}{request.QueryString}";
            var (form, refusal) = await ReadSignedFormAsync(request, settings.Value, url, ct);
            if (form is null) return refusal!;

            var sid = form["MessageSid"].ToString();
            if (string.IsNullOrEmpty(sid)) return ValidationProblem.For("MessageSid", "an inbound message has a MessageSid");
            if (ProfileTraits.NormalizePhone(form["From"].ToString()) is not { } sender)
                return ValidationProblem.For("From", $"'{form["From"]}' is not a phone number in E.164 form");
            var reply = new InboundReply("twilio", sid, "sms", sender, form["Body"].ToString(), null);
            var advanced = AdvancedOptOut(form["OptOutType"].ToString());
            var intent = await replies.HandleAsync(reply, advanced, ct);
            var help = intent == ReplyIntent.Help && advanced is null ? settings.Value.HelpReplyFor(templates.Value.SignName) : "";
            return Results.Content(help.Length == 0 ? EmptyTwiml : MessageTwiml(help), "text/xml; charset=utf-8");
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// With Advanced Opt-Out on, Twilio names the keyword class it matched (its own and the account's localized
    /// keywords) and has answered it itself; that wins over our reading of the text. HELP changes nothing.
    /// </summary>
    private static ReplyIntent? AdvancedOptOut(string optOutType) => optOutType.ToUpperInvariant() switch
    {
        "STOP" => ReplyIntent.OptOut,
        "START" => ReplyIntent.OptIn,
        "HELP" => ReplyIntent.Help,
        _ => null,
    };

    /// <summary>TwiML that answers the sender with one SMS.</summary>
    private static string MessageTwiml(string text) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><Response><Message>{System.Security.SecurityElement.Escape(text)}</Message></Response>""";

    /// <summary>The form Twilio posted, or why not: 404 without Twilio configured, 400 for a body that is not a form, 403 for a bad signature.</summary>
    private static async Task<(IFormCollection? Form, IResult? Refusal)> ReadSignedFormAsync(HttpRequest request, TwilioOptions options, string signedUrl, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(options.AccountSid) || string.IsNullOrEmpty(options.AuthToken)) return (null, NotFoundProblem.Route(request));
        if (!request.HasFormContentType)
            return (null, ValidationProblem.For("body", "a Twilio webhook is an application/x-www-form-urlencoded form, as Twilio posts it"));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException e)
        {
            return (null, ValidationProblem.For("body", $"the form cannot be read: {e.Message}"));
        }
        var parameters = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString())).ToList();
        return TwilioSmsChannel.IsGenuineCallback(options.AuthToken, signedUrl, parameters, request.Headers["X-Twilio-Signature"])
            ? (form, null)
            : (null, Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"));
    }
}
