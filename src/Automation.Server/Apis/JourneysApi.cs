using Automation.Core.Journeys;
using Automation.Core.Storage;

namespace Automation.Server.Apis;

/// <summary><c>GET /v1/journeys</c>: every journey file, its status, its problems and its instance counts.</summary>
internal static class JourneysApi
{
    public sealed record JourneyResponse(
        string Name,
        string File,
        string Status,
        bool RunningLastGoodVersion,
        string? Description,
        string? Trigger,
        IReadOnlyList<ProblemResponse> Errors,
        JourneyCounts Counts);

    public sealed record ProblemResponse(string File, int Line, string? Rule, string Reason, string Text);

    public static RouteGroupBuilder MapJourneysApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/journeys", async (JourneyCatalog catalog, IJourneyStore store, IHostEnvironment environment, CancellationToken ct) =>
        {
            var counts = await store.CountsAsync(ct);
            var root = environment.ContentRootPath;
            return Results.Ok(catalog.Current.Entries.Select(e => new JourneyResponse(
                e.Name,
                Path.GetRelativePath(root, e.File),
                e.Status.ToString().ToLowerInvariant(),
                e.Status == JourneyStatus.Invalid && e.Running is not null,
                e.Running?.Description,
                Describe(e.Running?.Trigger),
                [.. e.Problems.Select(p => new ProblemResponse(Path.GetRelativePath(root, p.File), p.Line, p.Rule, p.Reason,
                    (p with { File = Path.GetRelativePath(root, p.File) }).ToString()))],
                counts.GetValueOrDefault(e.Name) ?? new JourneyCounts(0, 0, 0))));
        });
        return v1;
    }

    private static string? Describe(JourneyTrigger? trigger) => trigger switch
    {
        EventTrigger e => $"event: {string.Join(", ", e.Events)}",
        ScheduleTrigger s => $"schedule: {s.Cron} (customer-local)",
        ScanTrigger s => $"scan: every {s.Every}",
        _ => null,
    };
}
