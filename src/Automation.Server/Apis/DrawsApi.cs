using Automation.Core.Draws;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// Points lucky draws: <c>GET /v1/draws</c>, <c>POST /v1/customers/{id}/draws/{draw}</c> (an entry, with an
/// <c>Idempotency-Key</c>), <c>GET /v1/draws/{draw}/report</c> and <c>GET /v1/draws/{draw}/entries</c> (the audit rows).
/// </summary>
internal static class DrawsApi
{
    public const int MaxKeyLength = 200;
    private const int MaxEntriesPage = 500;

    public sealed record PrizeResponse(string Name, string Kind, int Weight, int? Stock, long Given, long? Left, int? Points, string? Campaign);

    public sealed record DrawResponse(string Name, string Description, int EntryCost, int? DailyLimit, DateTimeOffset? From, DateTimeOffset? Until,
        IReadOnlyList<string> EligibleTiers, bool Open, IReadOnlyList<PrizeResponse> Prizes);

    public sealed record WonPrize(string Name, string Kind, int Points, string? CouponCode);

    /// <summary>How the prize was picked: <c>Value</c> in [0, <c>Range</c>) over the prizes in file order less <c>OutOfStock</c>.</summary>
    public sealed record PickResponse(int Value, int Range, IReadOnlyList<string> OutOfStock);

    public sealed record EntryResponse(long Entry, string Draw, string Customer, string RequestKey, DateTimeOffset EnteredAt, string LocalDay, int PointsSpent,
        WonPrize Prize, PickResponse Pick);

    public static ApiRoutes MapDrawsApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/draws", async (bool? all, DrawCatalog catalog, IDrawQueries queries, TimeProvider clock, IHostEnvironment environment, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            var reports = DrawReport.Build(catalog.Draws, await queries.DrawTalliesAsync(null, ct), now).ToDictionary(r => r.Draw, StringComparer.Ordinal);
            var draws = catalog.Draws.Select(d => Describe(d, reports.GetValueOrDefault(d.Name), now))
                .Where(d => all == true || (d.Open && d.Prizes.Any(p => p.Left is null or > 0)));
            var root = environment.ContentRootPath;
            return Results.Ok(new
            {
                draws = draws.ToList(),
                problems = catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString()).ToList(),
            });
        });

        v1.Admin.MapPost("/customers/{id}/draws/{draw}", async (string id, string draw, HttpRequest request, ICustomerStore customers, IIngestionStore store,
            DrawCatalog catalog, DrawEntries entries, TimeProvider clock, CancellationToken ct) =>
        {
            var key = request.Headers["Idempotency-Key"].FirstOrDefault();
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength)
                return ValidationProblem.For("Idempotency-Key", $"the header is required: a key of at most {MaxKeyLength} characters that the shop makes once per entry and sends again on a retry");
            if (catalog.Find(draw) is not { } running) return UnknownDraw(draw);
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);

            await using var tx = await store.BeginAsync(ct);
            var result = await entries.EnterAsync(tx, running, customer.Profile.Id, customer.Profile.Timezone, key, clock.GetUtcNow(), ct);
            // A refusal may come after the daily entry or a prize was claimed: leaving without commit rolls them back.
            if (result.Refusal is { } refusal) return Refused(refusal, result.Balance);
            await tx.CommitAsync(ct);
            return Results.Ok(new { entry = Entry(result.Entry!, id), balance = result.Balance, replayed = result.Replayed });
        });

        v1.Admin.MapGet("/draws/{draw}/report", async (string draw, DrawCatalog catalog, IDrawQueries queries, TimeProvider clock, CancellationToken ct) =>
        {
            var tallies = await queries.DrawTalliesAsync(draw, ct);
            var running = catalog.Find(draw);
            if (running is null && tallies.Count == 0) return UnknownDraw(draw);
            return Results.Ok(DrawReport.Build(running is null ? [] : [running], tallies, clock.GetUtcNow())[0]);
        });

        v1.Admin.MapGet("/draws/{draw}/entries", async (string draw, long? before, int? limit, DrawCatalog catalog, IDrawQueries queries, CancellationToken ct) =>
        {
            if (limit is < 1 or > MaxEntriesPage) return ValidationProblem.For("limit", $"must be from 1 to {MaxEntriesPage}");
            var lines = await queries.DrawEntriesAsync(draw, before, limit ?? 100, ct);
            if (lines.Count == 0 && before is null && catalog.Find(draw) is null) return UnknownDraw(draw);
            return Results.Ok(new { entries = lines.Select(l => Entry(l.Entry, l.Customer)).ToList() });
        });
        return v1;
    }

    private static DrawResponse Describe(Draw draw, DrawReport? report, DateTimeOffset now) =>
        new(draw.Name, draw.Description, draw.EntryCost, draw.DailyLimit, draw.From, draw.Until, draw.EligibleTiers, draw.IsOpenAt(now),
            [.. draw.Prizes.Select(p =>
            {
                var given = report?.Prizes.FirstOrDefault(r => r.Prize == p.Name)?.Given ?? 0;
                return new PrizeResponse(p.Name, PrizeKinds.Text(p.Kind), p.Weight, p.Stock, given, p.Stock is { } stock ? Math.Max(0, stock - given) : null,
                    p.Kind == PrizeKind.Points ? p.Points : null, p.Campaign);
            })]);

    private static EntryResponse Entry(DrawEntry entry, string customer) =>
        new(entry.Id, entry.Start.Draw, customer, entry.Start.RequestKey, entry.Start.EnteredAt, entry.Start.LocalDay, entry.Start.PointsSpent,
            new WonPrize(entry.Pick.Prize, PrizeKinds.Text(entry.Pick.Kind), entry.Pick.PointsWon, entry.Pick.CouponCode),
            new PickResponse(entry.Pick.RandomValue, entry.Pick.RandomRange, entry.Pick.OutOfStock));

    private static IResult UnknownDraw(string draw) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Draw not found",
        detail: $"No draw is named '{draw}': a draw is a file rules/draws/<name>.json (GET /v1/draws?all=true lists them).");

    private static IResult Refused(DrawRefusal refusal, long balance)
    {
        var (status, title, code) = refusal.Reason switch
        {
            DrawRefusalReason.NotOpen => (StatusCodes.Status409Conflict, "Draw not open", "not-open"),
            DrawRefusalReason.NotEligible => (StatusCodes.Status409Conflict, "Not eligible for this draw", "not-eligible"),
            DrawRefusalReason.NotEnoughPoints => (StatusCodes.Status409Conflict, "Not enough points", "not-enough-points"),
            DrawRefusalReason.DailyLimitReached => (StatusCodes.Status429TooManyRequests, "Daily limit reached", "daily-limit"),
            DrawRefusalReason.OutOfStock => (StatusCodes.Status409Conflict, "Out of stock", "out-of-stock"),
            _ => (StatusCodes.Status422UnprocessableEntity, "Idempotency key already used", "key-reused"),
        };
        return Results.Problem(statusCode: status, title: title, detail: refusal.Detail,
            extensions: new Dictionary<string, object?> { ["reason"] = code, ["balance"] = balance });
    }
}
