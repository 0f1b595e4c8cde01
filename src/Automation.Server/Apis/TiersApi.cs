using System.Text.Json.Nodes;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>Membership tiers: <c>GET /v1/tiers</c> (the program in force and the file's problems) and <c>GET /v1/customers/{id}/tier</c>.</summary>
internal static class TiersApi
{
    public sealed record TierResponse(string Name, int Rank, decimal? MinSpend, int? MinOrders, decimal Multiplier, JsonObject Perks);

    public sealed record ProgramResponse(string File, string Status, int? WindowDays, IReadOnlyList<TierResponse> Tiers, IReadOnlyList<SpendBand> SpendBands, IReadOnlyList<string> Problems);

    public sealed record WindowResponse(DateTimeOffset From, decimal Spend, int Orders);

    /// <summary>What the customer still needs over the window to reach the next tier (either is enough).</summary>
    public sealed record NextTierResponse(string Name, decimal? SpendNeeded, int? OrdersNeeded);

    public sealed record CustomerTierResponse(string? Tier, DateTimeOffset? Since, decimal Multiplier, JsonObject Perks, string? ReviewTier, DateTimeOffset? ReviewUntil,
        WindowResponse? Window, NextTierResponse? Next, IReadOnlyList<TierChange> History);

    public static ApiRoutes MapTiersApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/tiers", (TierCatalog catalog, JourneyFiles files, IHostEnvironment environment) =>
        {
            var root = environment.ContentRootPath;
            var program = catalog.Program;
            // "invalid" while a bad file is on disk, even though its last good version keeps running.
            var status = catalog.Problems.Count > 0 ? "invalid" : program is null ? "absent" : "active";
            return Results.Ok(new ProgramResponse(Path.GetRelativePath(root, files.TiersFile), status, program?.WindowDays,
                program is null ? [] : [.. program.Tiers.Select(t => new TierResponse(t.Name, t.Rank, t.MinSpend, t.MinOrders, t.Multiplier, t.Perks.ToJson()))],
                program?.Bands ?? [], [.. catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString())]));
        });

        v1.Read.MapGet("/customers/{id}/tier", async (string id, ICustomerStore customers, TierCatalog catalog, TimeProvider clock, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var customerId = customer.Profile.Id;
            var history = await customers.TierHistoryAsync(customerId, ct);
            var program = catalog.Program;
            var held = program?.Find(customer.Tier?.Tier);
            WindowResponse? window = null;
            NextTierResponse? next = null;
            if (program is not null)
            {
                var now = clock.GetUtcNow();
                var from = now.AddDays(-program.WindowDays);
                var totals = await customers.OrderTotalsAsync(customerId, from, now, ct);
                window = new WindowResponse(from, totals.Spend, totals.Orders);
                if (program.Next(held, totals) is { } up) next = new NextTierResponse(up.Tier.Name, up.SpendNeeded, up.OrdersNeeded);
            }
            return Results.Ok(new CustomerTierResponse(customer.Tier?.Tier, customer.Tier?.Since, held?.Multiplier ?? 1m, (held?.Perks ?? TierPerks.None).ToJson(),
                customer.Tier?.ReviewTier, customer.Tier?.ReviewUntil, window, next, history));
        });
        return v1;
    }
}
