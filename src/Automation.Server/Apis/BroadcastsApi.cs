using System.Security.Claims;
using Automation.Core.Analytics;
using Automation.Core.Broadcasts;
using Automation.Core.Messaging;
using Automation.Core.Presales;
using Automation.Core.Segments;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Analytics;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Automation.Server.Tools;

namespace Automation.Server.Apis;

/// <summary>
/// Broadcasts (docs/broadcasts.md): <c>POST /v1/broadcasts</c> schedules one, <c>GET /v1/broadcasts[/{id}]</c> shows
/// status, progress and results, <c>POST /v1/broadcasts/{id}/cancel</c> cancels one not started yet,
/// <c>POST /v1/broadcasts/{id}/start</c> starts one before its time (once: a second start is a 409), and
/// <c>POST /v1/broadcasts/preview</c> gives the audience size and a render for one member.
/// </summary>
internal static class BroadcastsApi
{
    public sealed record BroadcastView(long Id, string Name, string Segment, string Channel, string Template, DateTimeOffset SendAt, string? LocalTime,
        string? Presale, int HoldoutPercent, IReadOnlyList<BroadcastVariant> Variants, string Status, long Audience, long Walked, long Enqueued,
        DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, BroadcastResults? Results, AttributionStep? Conversions);

    public static ApiRoutes MapBroadcastsApi(this ApiRoutes v1)
    {
        v1.Admin.MapPost("/broadcasts", async (BroadcastRequest body, HttpRequest http, SegmentCatalog segments, SegmentCounts counts,
            IReadOnlyDictionary<string, IChannel> channels, LiquidTemplates templates, PresaleCatalog presales, TierCatalog tiers, IBroadcastStore store,
            ClaimsPrincipal user, TimeProvider clock, CancellationToken ct) =>
        {
            var key = http.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is not null && (string.IsNullOrWhiteSpace(key) || key.Length > DrawsApi.MaxKeyLength))
                return ValidationProblem.For("Idempotency-Key", $"must be 1 to {DrawsApi.MaxKeyLength} characters, made once per broadcast and sent again on a retry");
            var now = clock.GetUtcNow();
            var request = CheckedBroadcast.Check(body, preview: false, segments, channels, templates.Files, presales, tiers.Program, now);
            if (request.Errors.Count > 0) return ValidationProblem.For(request.Errors);
            var audience = (await counts.CountAsync(request.Segment!, ct)).Count;
            var (id, created) = await store.CreateBroadcastAsync(new NewBroadcast(key, body.Name!, body.Segment!, body.Channel!, body.Template!, request.SendAt,
                body.LocalTime, body.Presale, body.HoldoutPercent ?? 0, request.Variants, audience, now), AuditActors.Of(user), ct);
            if (!created && await store.BroadcastAsync(id, ct) is { } first)
                return Results.Ok(new { id, audience = first.Audience, status = first.Status, sendAt = first.SendAt, message = "Created before with this Idempotency-Key." });
            var message = audience == 0 ? $"No customer is in segment {body.Segment} now: the broadcast reaches whoever is in it when it is sent." : null;
            return Results.Created($"/v1/broadcasts/{id}", new { id, audience, status = BroadcastStatus.Scheduled, sendAt = request.SendAt, message });
        });

        v1.Admin.MapPost("/broadcasts/preview", async (BroadcastRequest body, SegmentCatalog segments, SegmentCounts counts, SegmentMembers members,
            IReadOnlyDictionary<string, IChannel> channels, LiquidTemplates templates, PresaleCatalog presales, TierCatalog tiers, ICustomerStore customers,
            StepPreviewer previewer, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var request = CheckedBroadcast.Check(body, preview: true, segments, channels, templates.Files, presales, tiers.Program, now);
            if (request.Errors.Count > 0) return ValidationProblem.For(request.Errors);
            var preview = await previewer.PreviewBroadcastAsync(body, request, counts, members, customers, now, ct);
            return Results.Ok(new
            {
                audience = preview.Audience, message = preview.CustomerId is null ? "No customer is in this segment now." : null,
                customerId = preview.CustomerId, dueAt = preview.DueAt, previews = preview.Previews,
            });
        });

        v1.Read.MapGet("/broadcasts", async (IBroadcastStore store, CancellationToken ct) =>
            Results.Ok(new { broadcasts = (await store.BroadcastsAsync(ct)).Select(b => View(b, null, null)).ToList() }));

        v1.Read.MapGet("/broadcasts/{id}", async (long id, string? within, IBroadcastStore store, IAnalyticsStore analytics, TimeProvider clock,
            CancellationToken ct) =>
        {
            if (ReportParameters.Days(within, ReportParameters.DefaultAttributionDays, "within", out var days) is { } error) return ValidationProblem.For([error]);
            if (await store.BroadcastAsync(id, ct) is not { } broadcast) return NotFound(id);
            var (results, conversions) = await BroadcastOutcome.ReadAsync(broadcast, days, store, analytics, clock.GetUtcNow(), ct);
            return Results.Ok(View(broadcast, results, conversions));
        });

        v1.Admin.MapPost("/broadcasts/{id}/cancel", async (long id, IBroadcastStore store, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct) =>
            await store.CancelBroadcastAsync(id, clock.GetUtcNow(), AuditActors.Of(user), ct)
                ? Results.Ok(new { id, status = BroadcastStatus.Cancelled })
                : await NotScheduledAsync(store, id, "cancelled", ct));

        v1.Admin.MapPost("/broadcasts/{id}/start", async (long id, IBroadcastStore store, ClaimsPrincipal user, TimeProvider clock, CancellationToken ct) =>
            await store.StartBroadcastAsync(id, clock.GetUtcNow(), AuditActors.Of(user), ct)
                ? Results.Ok(new { id, status = BroadcastStatus.Sending })
                : await NotScheduledAsync(store, id, "started", ct));
        return v1;
    }

    private static BroadcastView View(Broadcast b, BroadcastResults? results, AttributionStep? conversions) => new(b.Id, b.Name, b.Segment, b.Channel,
        b.Template, b.SendAt, b.LocalTime, b.Presale, b.HoldoutPercent, b.Variants, b.Status, b.Audience, b.Walked, b.Enqueued, b.CreatedAt, b.StartedAt,
        b.FinishedAt, results, conversions);

    /// <summary>Why a cancel or start claimed nothing: the broadcast is past scheduled (409), or there is none (404).</summary>
    private static async Task<IResult> NotScheduledAsync(IBroadcastStore store, long id, string verb, CancellationToken ct) =>
        await store.BroadcastAsync(id, ct) is { } broadcast
            ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"Broadcast not {verb}",
                detail: $"Broadcast {id} is {broadcast.Status}: only a scheduled broadcast can be {verb}.")
            : NotFound(id);

    private static IResult NotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Broadcast not found", detail: $"No broadcast has id {id} (GET /v1/broadcasts lists them).");
}
