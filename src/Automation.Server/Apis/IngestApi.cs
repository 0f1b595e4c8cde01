using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// Segment's HTTP Tracking API: <c>identify</c>, <c>track</c>, <c>page</c>, <c>screen</c>, <c>group</c>, <c>alias</c>
/// and <c>batch</c>, and <c>GET /v1/rejected</c>, the messages of batches refused one by one.
/// </summary>
internal static class IngestApi
{
    /// <summary>The answer to an accepted request; replayed message ids are listed under <c>duplicates</c>, refused messages of a batch under <c>rejected</c>.</summary>
    public sealed record IngestResponse(bool Success, int Accepted, IReadOnlyList<string> Duplicates, IReadOnlyList<Rejection> Rejected);

    /// <summary>A message of a batch that was refused and kept in <c>GET /v1/rejected</c>.</summary>
    public sealed record Rejection(int Index, string? MessageId, IReadOnlyList<FieldError> Errors);

    public static ApiRoutes MapIngestApi(this ApiRoutes v1)
    {
        foreach (var (route, type) in new[]
        {
            ("/identify", MessageType.Identify), ("/track", MessageType.Track), ("/page", MessageType.Page), ("/screen", MessageType.Screen),
            ("/group", MessageType.Group), ("/alias", MessageType.Alias),
        })
        {
            v1.Ingest.MapPost(route, (HttpRequest request, IngestionService service, SegmentMessageReader reader, IRejectedMessageStore rejected, TimeProvider clock, CancellationToken ct) =>
                IngestAsync(request, RequestBody.MessageLimit, body => reader.ReadMessage(body, type), service, rejected, clock, ct));
        }
        v1.Ingest.MapPost("/batch", (HttpRequest request, IngestionService service, SegmentMessageReader reader, IRejectedMessageStore rejected, TimeProvider clock, CancellationToken ct) =>
            IngestAsync(request, RequestBody.BatchLimit, reader.ReadBatch, service, rejected, clock, ct));
        v1.Admin.MapGet("/rejected", async (int? limit, long? before, IRejectedMessageStore rejected, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000) return ValidationProblem.For("limit", "must be from 1 to 1000");
            return Results.Ok(await rejected.ListRejectedAsync(limit ?? 100, before, ct));
        });
        return v1;
    }

    private delegate ReadResult Read(ReadOnlySpan<byte> body);

    private static async Task<IResult> IngestAsync(HttpRequest request, int limit, Read read, IngestionService service, IRejectedMessageStore rejected,
        TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await RequestBody.ReadAsync(request, limit, ct);
        if (problem is not null) return problem;

        var result = read(body);
        if (!result.IsValid) return ValidationProblem.For(result.Errors);

        // The refused messages are kept before the rest is stored: an answer listing them means they can be found.
        await rejected.KeepRejectedAsync(result.Rejected, clock.GetUtcNow(), ct);
        Core.Telemetry.AutomationMetrics.IngestMessages.Add(result.Rejected.Count, Core.Telemetry.AutomationMetrics.Tags("automation.ingest.outcome", "rejected"));
        var outcome = result.Messages.Count == 0 ? new IngestOutcome(0, []) : await service.IngestAsync(result.Messages, ct);
        return Results.Ok(new IngestResponse(true, outcome.Accepted, outcome.DuplicateMessageIds,
            [.. result.Rejected.Select(r => new Rejection(r.Index, r.MessageId, r.Errors))]));
    }
}
