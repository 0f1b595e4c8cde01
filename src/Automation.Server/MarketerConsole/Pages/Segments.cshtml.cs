using Automation.Core.Customers;
using Automation.Core.Segments;
using Automation.Server.Hosting;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// The segments of rules/segments/: each with its description, expression, live count (as <c>GET /v1/segments</c>
/// counts it, reused for Segments:CountCacheSeconds) and its first members, each a link to their customer page.
/// </summary>
internal sealed class SegmentsModel(SegmentCatalog catalog, SegmentCounts counts, SegmentMembers members, IHostEnvironment environment) : PageModel
{
    /// <summary>Members shown per segment: enough to recognise who is in it.</summary>
    public const int SampleSize = 10;

    public sealed record SegmentRow(Segment Segment, SegmentCount Count, IReadOnlyList<CustomerProfile> Sample);

    public IReadOnlyList<SegmentRow> Rows { get; private set; } = [];
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Problems = [.. catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(environment.ContentRootPath, p.File) }).ToString())];
        var rows = new List<SegmentRow>();
        foreach (var segment in catalog.Segments.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var count = await counts.CountAsync(segment, ct);
            var sample = count.Count == 0 ? [] : await members.PageAsync(segment, 0, SampleSize, ct);
            rows.Add(new SegmentRow(segment, count, [.. sample.Select(m => m.Profile)]));
        }
        Rows = rows;
    }
}
