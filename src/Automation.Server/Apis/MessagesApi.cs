using System.Security.Claims;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>Messages and suppressions: <c>GET /v1/messages</c>, <c>POST /v1/suppressions</c>, <c>DELETE /v1/suppressions/{channel}/{address}</c>.</summary>
internal static class MessagesApi
{
    public sealed record SuppressionRequest(string? Channel, string? Address, string? Reason);

    public static ApiRoutes MapMessagesApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/messages", async (string? status, int? limit, IOutboxStore outbox, CancellationToken ct) =>
        {
            MessageStatus? wanted = null;
            if (status is not null)
            {
                if (!MessageStatuses.TryParse(status, out var parsed))
                    return ValidationProblem.For("status", $"must be one of {string.Join(", ", MessageStatuses.All)}");
                wanted = parsed;
            }
            if (limit is < 1 or > 1000) return ValidationProblem.For("limit", "must be from 1 to 1000");
            return Results.Ok(await outbox.ListAsync(wanted, limit ?? 100, ct));
        });

        // Adding a suppression that is there already changes nothing: the answer is the same, and no audit entry is written.
        v1.Admin.MapPost("/suppressions", async (SuppressionRequest? body, IOutboxStore outbox, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body?.Channel)) return ValidationProblem.For("channel", "is required: email, sms, webhook or file");
            if (string.IsNullOrWhiteSpace(body.Address)) return ValidationProblem.For("address", "is required: the email address or E.164 number");
            await outbox.SuppressAsync(body.Channel, body.Address.Trim(), body.Reason ?? "support", clock.GetUtcNow(), AuditActors.Of(user), ct);
            return Results.Ok(new { body.Channel, address = body.Address.Trim(), suppressed = true });
        });

        v1.Admin.MapDelete("/suppressions/{channel}/{address}", async (string channel, string address, IOutboxStore outbox, ClaimsPrincipal user, TimeProvider clock,
            CancellationToken ct) =>
            await outbox.UnsuppressAsync(channel, address, clock.GetUtcNow(), AuditActors.Of(user), ct)
                ? Results.NoContent()
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not suppressed", detail: $"{address} is not suppressed on {channel}."));
        return v1;
    }
}
