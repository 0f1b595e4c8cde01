using Automation.Core.Ingestion;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>Segment's HTTP Tracking API: <c>identify</c>, <c>track</c>, <c>page</c>, <c>screen</c> and <c>batch</c>.</summary>
internal static class IngestApi
{
    /// <summary>The answer to an accepted request; replayed message ids are listed under <c>duplicates</c>.</summary>
    public sealed record IngestResponse(bool Success, int Accepted, IReadOnlyList<string> Duplicates);

    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder v1)
    {
        foreach (var (route, type) in new[]
        {
            ("/identify", MessageType.Identify), ("/track", MessageType.Track), ("/page", MessageType.Page), ("/screen", MessageType.Screen),
        })
        {
            v1.MapPost(route, (HttpRequest request, IngestionService service, SegmentMessageReader reader, CancellationToken ct) =>
                IngestAsync(request, RequestBody.MessageLimit, body => reader.ReadMessage(body, type), service, ct));
        }
        v1.MapPost("/batch", (HttpRequest request, IngestionService service, SegmentMessageReader reader, CancellationToken ct) =>
            IngestAsync(request, RequestBody.BatchLimit, reader.ReadBatch, service, ct));
        return v1;
    }

    private delegate ReadResult Read(ReadOnlySpan<byte> body);

    private static async Task<IResult> IngestAsync(HttpRequest request, int limit, Read read, IngestionService service, CancellationToken ct)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(request, limit, ct);
        if (tooLarge is not null) return tooLarge;

        var result = read(body);
        if (!result.IsValid) return ValidationProblem.For(result.Errors);

        var outcome = await service.IngestAsync(result.Messages, ct);
        return Results.Ok(new IngestResponse(true, outcome.Accepted, outcome.DuplicateMessageIds));
    }
}
