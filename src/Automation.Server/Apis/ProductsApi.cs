using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Products;
using Automation.Core.Storage;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>
/// The product catalog: <c>PUT /v1/products/{id}</c> and <c>POST /v1/products</c> (up to 1,000) set what events do
/// not carry (usage_days, replenish, categories) and any event field; <c>GET /v1/products/{id}</c>,
/// <c>GET /v1/products?category=&amp;after=&amp;limit=</c>; <c>GET /v1/customers/{id}/replenishments</c> shows when a
/// customer's products are due. A bad body is refused whole, naming each field (and item index).
/// </summary>
internal static class ProductsApi
{
    private const int OneProductLimit = 32 * 1024;
    private const int BulkLimit = 4 * 1024 * 1024;
    private const int MaxPage = 500;

    /// <summary>A product as the API shows it.</summary>
    public sealed record ProductResponse(string ProductId, string? Sku, string? Name, string? Category, string? Brand, decimal? Price, string? Url, string? ImageUrl,
        int? UsageDays, bool Replenish, IReadOnlyList<string> Categories, DateTimeOffset? SeenAt, DateTimeOffset UpdatedAt);

    /// <summary>The fields a product body may set (documented for OpenAPI; read by hand so each bad field is named).</summary>
    public sealed record ProductRequest(string? ProductId, string? Sku, string? Name, string? Category, string? Brand, decimal? Price, string? Url, string? ImageUrl,
        int? UsageDays, bool? Replenish, IReadOnlyList<string>? Categories);

    public sealed record BulkRequest(IReadOnlyList<ProductRequest> Products);

    public sealed record ReplenishmentResponse(string ProductId, DateTimeOffset BoughtAt, int Quantity, decimal CycleDays, string CycleSource, DateTimeOffset DueAt, DateTimeOffset? RemindedAt);

    public static ApiRoutes MapProductsApi(this ApiRoutes v1)
    {
        v1.Admin.MapPut("/products/{id}", async (string id, HttpRequest request, IIngestionStore store, TimeProvider clock, CancellationToken ct) =>
        {
            var (document, problem) = await ReadJsonAsync(request, OneProductLimit, ct);
            if (problem is not null) return problem;
            var (edit, errors) = ProductInput.ReadOne(document, id);
            if (errors.Count > 0) return ValidationProblem.For(errors);
            return Results.Ok(Response((await SaveAsync(store, [edit!], clock.GetUtcNow(), ct))[0]));
        }).Accepts<ProductRequest>("application/json").Produces<ProductResponse>();

        v1.Admin.MapPost("/products", async (HttpRequest request, IIngestionStore store, TimeProvider clock, CancellationToken ct) =>
        {
            var (document, problem) = await ReadJsonAsync(request, BulkLimit, ct);
            if (problem is not null) return problem;
            var (edits, errors) = ProductInput.ReadMany(document);
            if (errors.Count > 0) return ValidationProblem.For(errors);
            var saved = await SaveAsync(store, edits, clock.GetUtcNow(), ct);
            return Results.Ok(new { saved = saved.Count, products = saved.Select(Response).ToList() });
        }).Accepts<BulkRequest>("application/json");

        v1.Read.MapGet("/products/{id}", async (string id, IProductQueries products, CancellationToken ct) =>
            await products.FindProductAsync(id, ct) is { } product ? Results.Ok(Response(product)) : UnknownProduct(id))
            .Produces<ProductResponse>();

        v1.Read.MapGet("/products", async (string? category, string? after, int? limit, IProductQueries products, CancellationToken ct) =>
        {
            if (limit is < 1 or > MaxPage) return ValidationProblem.For("limit", $"must be from 1 to {MaxPage}");
            var page = await products.ProductsAsync(string.IsNullOrWhiteSpace(category) ? null : category.Trim(), after, limit ?? 100, ct);
            return Results.Ok(new { products = page.Select(Response).ToList(), next = page.Count == (limit ?? 100) ? page[^1].ProductId : null });
        });

        v1.Read.MapGet("/customers/{id}/replenishments", async (string id, ICustomerStore customers, IProductQueries products, CancellationToken ct) =>
        {
            if (await customers.FindAsync(id, ct) is not { } customer) return NotFoundProblem.Customer(id);
            var due = await products.ReplenishmentsAsync(customer.Profile.Id, ct);
            return Results.Ok(new
            {
                replenishments = due.Select(d => new ReplenishmentResponse(d.ProductId, d.BoughtAt, d.Quantity, d.CycleDays, d.CycleSource, d.DueAt, d.ClaimedAt)).ToList(),
            });
        });
        return v1;
    }

    /// <summary>Applies the edits to what is stored, in one transaction: all are written or none.</summary>
    private static async Task<IReadOnlyList<Product>> SaveAsync(IIngestionStore store, IReadOnlyList<ProductEdit> edits, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await store.BeginAsync(ct);
        var stored = (await tx.LockProductsForEditAsync(edits.Select(e => e.ProductId).ToList(), now, ct)).ToDictionary(p => p.ProductId, StringComparer.Ordinal);
        var products = edits.Select(e => e.ApplyTo(stored[e.ProductId], now)).ToList();
        await tx.SaveProductsAsync(products, ct);
        await tx.CommitAsync(ct);
        return products;
    }

    private static async Task<(JsonNode? Document, IResult? Problem)> ReadJsonAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var (body, problem) = await RequestBody.ReadAsync(request, limit, ct);
        if (problem is not null) return (null, problem);
        try
        {
            return (JsonNode.Parse(body!), null);
        }
        catch (JsonException e)
        {
            return (null, ValidationProblem.For([new FieldError("body", $"is not JSON: {e.Message}")]));
        }
    }

    private static ProductResponse Response(Product p) =>
        new(p.ProductId, p.Sku, p.Name, p.Category, p.Brand, p.Price, p.Url, p.ImageUrl, p.UsageDays, p.Replenish, p.Categories, p.SeenAt, p.UpdatedAt);

    private static IResult UnknownProduct(string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Product not found",
        detail: $"The catalog has no product '{id}': products arrive with shop events or PUT /v1/products/{{id}}.");
}
