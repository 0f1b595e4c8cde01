using Automation.Core.Presales;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// Pre-sales with early access by tier: <c>GET /v1/presales</c> (the sales of rules/presales.json with each tier's
/// opening) and <c>GET /v1/customers/{id}/presales/{sale}/access[?product=SKU]</c>, the shop's question "may this
/// customer buy now?", decided from the tier they hold at that moment and the clock.
/// </summary>
internal static class PresalesApi
{
    public sealed record OpeningResponse(string Tier, int EarlyAccessHours, DateTimeOffset OpensAt);

    public sealed record SaleResponse(string Name, string Title, string Description, IReadOnlyList<string>? Products, bool AllProducts,
        DateTimeOffset OpensToEveryoneAt, DateTimeOffset? EndsAt, int? MaxEarlyAccessHours, bool AnnounceToEveryone, bool Ended, IReadOnlyList<OpeningResponse> Tiers);

    public sealed record SalesResponse(string File, string Status, IReadOnlyList<SaleResponse> Sales, IReadOnlyList<string> Problems);

    public sealed record AccessResponse(string Sale, string Customer, string? Product, bool Allowed, DateTimeOffset OpensAt, DateTimeOffset OpensToEveryoneAt,
        DateTimeOffset? EndsAt, string? Tier, int EarlyAccessHours, bool Covered, string Reason);

    public static ApiRoutes MapPresalesApi(this ApiRoutes v1)
    {
        v1.Read.MapGet("/presales", (PresaleCatalog catalog, TierCatalog tiers, JourneyFiles files, TimeProvider clock, IHostEnvironment environment) =>
        {
            var root = environment.ContentRootPath;
            var now = clock.GetUtcNow();
            // "invalid" while a bad file is on disk, even though its last good version keeps running.
            var status = catalog.Problems.Count > 0 ? "invalid" : catalog.Sales.Count == 0 && !files.RulesFolder.Exists(files.PresalesFile) ? "absent" : "active";
            return Results.Ok(new SalesResponse(Path.GetRelativePath(root, files.PresalesFile), status,
                [.. catalog.Sales.Select(s => Describe(s, tiers.Program, now))],
                [.. catalog.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString())]));
        });

        v1.Read.MapGet("/customers/{id}/presales/{sale}/access", async (string id, string sale, HttpRequest request, ICustomerStore customers,
            PresaleCatalog catalog, TierCatalog tiers, TimeProvider clock, CancellationToken ct) =>
        {
            string? product = null;
            if (request.Query.TryGetValue("product", out var products))
            {
                if (products.Count != 1) return ValidationProblem.For("product", "give one product id or SKU, or leave product out to ask about the sale as a whole");
                product = products[0]!;
                if (PresaleFileReader.ProductProblem(product) is { } problem) return ValidationProblem.For("product", $"a product id or SKU {problem}");
            }
            if (catalog.Find(sale) is not { } running) return UnknownSale(sale);
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var tier = tiers.Program?.Find(customer.Tier?.Tier);
            var access = PresaleAccess.Decide(running, tier, product, clock.GetUtcNow());
            return Results.Ok(new AccessResponse(running.Name, id, product, access.Allowed, access.OpensAt, access.OpensToEveryoneAt, access.EndsAt,
                access.Tier, access.EarlyAccessHours, access.Covered, access.Reason));
        });
        return v1;
    }

    private static SaleResponse Describe(Presale sale, TierProgram? program, DateTimeOffset now) => new(sale.Name, sale.Title, sale.Description,
        sale.Products, sale.Products is null, sale.OpensAt, sale.EndsAt, sale.MaxEarlyHours, sale.AnnounceToEveryone, sale.EndedAt(now),
        [.. sale.Openings(program).Select(o => new OpeningResponse(o.Tier.Name, o.EarlyHours, o.OpensAt))]);

    private static IResult UnknownSale(string sale) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pre-sale not found",
        detail: $"No pre-sale is named '{sale}' in rules/presales.json (GET /v1/presales lists them).");
}
