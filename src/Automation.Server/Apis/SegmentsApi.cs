using Automation.Core.Customers;
using Automation.Core.Segments;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Microsoft.Extensions.Options;

namespace Automation.Server.Apis;

/// <summary>
/// Segments of <c>rules/segments/</c>: <c>GET /v1/segments</c> (each with a count, reused for
/// <see cref="SegmentOptions.CountCacheSeconds"/>), <c>GET /v1/segments/{name}</c> (definition, count, a sample),
/// <c>GET /v1/segments/{name}/customers</c> (paged by <c>after</c>) and <c>…/customers.csv</c> (every member, streamed).
/// </summary>
internal static class SegmentsApi
{
    private const int MaxPage = 1000, DefaultPage = 100, SampleSize = 10;

    public sealed record SegmentMember(long CustomerId, string? ExternalId, string? AnonymousId, string? Email, string? Phone, string? Name);

    public sealed record SegmentSummary(string Name, string Description, string Expression, long Count, DateTimeOffset CountedAt, int CountCacheSeconds, string? Message);

    public static ApiRoutes MapSegmentsApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/segments", async (SegmentCatalog catalog, SegmentCounts counts, IOptions<SegmentOptions> options, IHostEnvironment environment, CancellationToken ct) =>
        {
            var segments = new List<SegmentSummary>();
            foreach (var segment in catalog.Segments) segments.Add(Summary(segment, await counts.CountAsync(segment, ct), options.Value));
            var root = environment.ContentRootPath;
            return Results.Ok(new
            {
                segments,
                problems = catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString()).ToList(),
            });
        });

        v1.Read.MapGet("/segments/{name}", async (string name, SegmentCatalog catalog, SegmentCounts counts, SegmentMembers members, IOptions<SegmentOptions> options,
            CancellationToken ct) =>
        {
            if (catalog.Find(name) is not { } segment) return Unknown(name);
            var summary = Summary(segment, await counts.CountAsync(segment, ct), options.Value);
            var sample = await members.PageAsync(segment, 0, SampleSize, ct);
            return Results.Ok(new { segment = summary, sample = sample.Select(m => Member(m.Profile)).ToList() });
        });

        v1.Admin.MapGet("/segments/{name}/customers", async (string name, long? after, int? limit, SegmentCatalog catalog, SegmentMembers members, CancellationToken ct) =>
        {
            if (limit is < 1 or > MaxPage) return ValidationProblem.For("limit", $"must be from 1 to {MaxPage}");
            if (after is < 0) return ValidationProblem.For("after", "must be a customerId from an earlier page, or left out for the first");
            if (catalog.Find(name) is not { } segment) return Unknown(name);
            var page = await members.PageAsync(segment, after ?? 0, limit ?? DefaultPage, ct);
            var next = page.Count == (limit ?? DefaultPage) ? page[^1].Profile.Id : (long?)null;
            return Results.Ok(new { customers = page.Select(m => Member(m.Profile)).ToList(), next });
        });

        v1.Admin.MapGet("/segments/{name}/customers.csv", (string name, SegmentCatalog catalog, SegmentMembers members, HttpContext http) =>
        {
            if (catalog.Find(name) is not { } segment) return Unknown(name);
            return Results.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false));
                await SegmentCsv.WriteAsync(writer, members.MembersAsync(segment, 0, http.RequestAborted), http.RequestAborted);
            }, "text/csv; charset=utf-8", $"{segment.Name}.csv");
        });
        return v1;
    }

    private static SegmentSummary Summary(Segment segment, SegmentCount count, SegmentOptions options) =>
        new(segment.Name, segment.Description, segment.Expression, count.Count, count.CountedAt, options.CountCacheSeconds,
            count.Count == 0 ? "No customer is in this segment now." : null);

    private static SegmentMember Member(CustomerProfile p) => new(p.Id, p.ExternalId, p.AnonymousId, p.Email, p.Phone, p.Name);

    private static IResult Unknown(string name) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Segment not found",
        detail: $"No segment is named '{name}': a segment is a file rules/segments/<name>.json (GET /v1/segments lists them).");
}
