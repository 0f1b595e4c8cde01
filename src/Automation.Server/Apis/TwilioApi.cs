using Automation.Channels;
using Automation.Core.Storage;

namespace Automation.Server.Apis;

/// <summary>
/// <c>POST /twilio/status</c>: Twilio's delivery reports. Authenticated by <c>X-Twilio-Signature</c>, not by an API
/// key; a report without a valid signature is refused with 403.
/// </summary>
internal static class TwilioApi
{
    public static IEndpointRouteBuilder MapTwilioApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/twilio/status", async (HttpRequest request, TwilioOptions options, IOutboxStore outbox, TimeProvider clock, CancellationToken ct) =>
        {
            var form = await request.ReadFormAsync(ct);
            var parameters = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString())).ToList();
            var url = options.StatusCallbackUrl ?? $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
            if (!TwilioSmsChannel.IsGenuineCallback(options.AuthToken ?? "", url, parameters, request.Headers["X-Twilio-Signature"]))
                return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

            var sid = form["MessageSid"].ToString();
            var (status, error) = form["MessageStatus"].ToString() switch
            {
                "delivered" => ("delivered", (string?)null),
                "undelivered" or "failed" => ("failed", $"Twilio {form["MessageStatus"]} {form["ErrorCode"]}"),
                _ => ((string?)null, (string?)null),
            };
            if (status is null) return Results.NoContent();
            var recipient = await outbox.ReportDeliveryAsync("sms", sid, status, error, ct);
            if (recipient is not null && form["ErrorCode"] == TwilioSmsChannel.RecipientUnsubscribed.ToString(System.Globalization.CultureInfo.InvariantCulture))
                await outbox.SuppressAsync("sms", recipient, "replied STOP", clock.GetUtcNow(), ct);
            return Results.NoContent();
        }).DisableAntiforgery();
        return app;
    }
}
