using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// <c>POST /twilio/status</c>: Twilio's delivery reports. Authenticated by <c>X-Twilio-Signature</c>, not by an API
/// key; a report without a valid signature is refused with 403. Without Twilio configured (no account and auth token)
/// the route does not exist (404): there is no key a genuine report could be signed with.
/// </summary>
internal static class TwilioApi
{
    public const string StatusPath = "/twilio/status";

    public static IEndpointRouteBuilder MapTwilioApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(StatusPath, async (HttpRequest request, IOptions<TwilioOptions> settings, IOutboxStore outbox, TimeProvider clock, CancellationToken ct) =>
        {
            var options = settings.Value;
            if (string.IsNullOrEmpty(options.AccountSid) || string.IsNullOrEmpty(options.AuthToken)) return NotFoundProblem.Route(request);
            if (!request.HasFormContentType)
                return ValidationProblem.For("body", "a status report is an application/x-www-form-urlencoded form, as Twilio posts it");
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (InvalidDataException e)
            {
                return ValidationProblem.For("body", $"the form cannot be read: {e.Message}");
            }
            var parameters = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString())).ToList();
            var url = options.StatusCallbackUrl ?? $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
            if (!TwilioSmsChannel.IsGenuineCallback(options.AuthToken, url, parameters, request.Headers["X-Twilio-Signature"]))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

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
                await outbox.SuppressAsync("sms", recipient, "replied STOP", clock.GetUtcNow(), ct);
            return Results.NoContent();
        }).DisableAntiforgery();
        return app;
    }
}
