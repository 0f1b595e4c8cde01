using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Server.Http;
using Automation.Server.Tools;

namespace Automation.Server.Apis;

/// <summary><c>GET /v1/journeys</c>: every journey file, its status, its problems, its quarantined rules and its instance counts.</summary>
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
        IReadOnlyList<QuarantineResponse> Quarantined,
        JourneyCounts Counts);

    public sealed record ProblemResponse(string File, int Line, string? Rule, string Reason, string Text);

    /// <summary>A rule that went past its budget on this node and is not evaluated until the file changes.</summary>
    public sealed record QuarantineResponse(string Rule, string Reason, string CustomerId, DateTimeOffset At);

    public sealed record PreviewRequest(string? CustomerId);

    /// <summary><c>POST /v1/journeys/{name}/apply-to-running</c>: the version to move its running instances to (default: the one running now).</summary>
    public sealed record ApplyToRunningRequest(string? Hash);

    public static ApiRoutes MapJourneysApi(this ApiRoutes v1)
    {
        v1.Admin.MapPost("/journeys/{name}/preview", async (string name, PreviewRequest? body, JourneyCatalog catalog, ICustomerStore customers,
            StepPreviewer previewer, CancellationToken ct) =>
        {
            if (catalog.Current.Entries.FirstOrDefault(e => e.Name == name)?.Running is not { } journey)
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Journey not found", detail: $"No runnable journey '{name}'.");
            if (string.IsNullOrWhiteSpace(body?.CustomerId))
                return ValidationProblem.For("customerId", "is required");
            if (await customers.FindAsync(body.CustomerId, ct) is not { } customer)
                return NotFoundProblem.Customer(body.CustomerId);
            return Results.Ok(previewer.Preview(journey, customer, await previewer.TierWindowAsync(customers, customer.Profile.Id, ct)));
        });

        v1.Read.MapGet("/journeys/{name}/running", async (string name, JourneyCatalog catalog, IJourneyVersions versions, CancellationToken ct) =>
        {
            if (catalog.Current.Find(name) is not { } running) return NotRunning(name);
            var counts = await versions.RunningVersionsAsync(name, ct);
            return Results.Ok(new
            {
                journey = name, current = running.Hash,
                versions = counts.Select(v => new { hash = v.Hash, instances = v.Instances, current = v.Hash is null || v.Hash == running.Hash }).ToList(),
                onEarlierVersions = counts.Where(v => v.Hash is not null && v.Hash != running.Hash).Sum(v => v.Instances),
            });
        });
        v1.Admin.MapPost("/journeys/{name}/apply-to-running", async (string name, ApplyToRunningRequest? body, JourneyCatalog catalog, IJourneyVersions versions,
            IContentVersionStore content, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        {
            if (catalog.Current.Find(name) is not { } running) return NotRunning(name);
            var hash = string.IsNullOrWhiteSpace(body?.Hash) ? running.Hash : body.Hash.Trim();
            if (hash != running.Hash && await content.FindBlobAsync(hash, ct) is null)
                return ValidationProblem.For("hash", $"'{hash}' is no published version of {name} (GET /v1/content/history/rules/{name}.json lists them)");
            var moved = await versions.ApplyToRunningAsync(name, hash, new Core.Audit.AuditEntry(clock.GetUtcNow(), AuditActors.Of(http.User),
                Core.Audit.AuditActions.JourneyApplyToRunning, $"journey:{name}", null, null), ct);
            return Results.Ok(new { journey = name, hash, moved });
        });

        v1.Read.MapGet("/journeys", async (JourneyCatalog catalog, IJourneyQueries store, IHostEnvironment environment, CancellationToken ct) =>
            Results.Ok(Describe(catalog.Current, await store.CountsAsync(ct), environment.ContentRootPath)));
        return v1;
    }

    private static IResult NotRunning(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Journey not found", detail: $"No running journey '{name}'.");

    /// <summary>Every journey file as the API and the console show it; paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<JourneyResponse> Describe(JourneySet journeys, IReadOnlyDictionary<string, JourneyCounts> counts, string root) =>
        [.. journeys.Entries.Select(e => new JourneyResponse(
            e.Name,
            Path.GetRelativePath(root, e.File),
            e.Status.ToString().ToLowerInvariant(),
            e.Status == JourneyStatus.Invalid && e.Running is not null,
            e.Running?.Description,
            Describe(e.Running?.Trigger),
            [.. e.Problems.Select(p => new ProblemResponse(Path.GetRelativePath(root, p.File), p.Line, p.Rule, p.Reason,
                (p with { File = Path.GetRelativePath(root, p.File) }).ToString()))],
            [.. journeys.Quarantined(e.Name).Select(q => new QuarantineResponse(q.Rule, q.Quarantine.Reason, q.Quarantine.CustomerId, q.Quarantine.At))],
            counts.GetValueOrDefault(e.Name) ?? new JourneyCounts(0, 0, 0)))];

    private static string? Describe(JourneyTrigger? trigger) => trigger switch
    {
        EventTrigger e => $"event: {string.Join(", ", e.Events)}",
        ScheduleTrigger s => $"schedule: {s.Cron} (customer-local)",
        ScanTrigger s => $"scan: {MarketerConsole.IntervalText.Of(s.Every)}",
        _ => null,
    };
}
